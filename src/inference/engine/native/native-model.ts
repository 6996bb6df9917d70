import { TextDecoder } from "node:util";
import koffi from "koffi";
import { CortexError } from "../../../errors/cortex-error.js";
import type { LoadedModel } from "../engine.js";
import type { EmbedResult, FinishReason, GenerationInput, GenerationResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "../engine-types.js";
import { resolveSampling, SAMPLING_DEFAULTS } from "../sampling-defaults.js";
import type { LlamaApi, Ptr, RawBatch } from "./llama-api.js";
import { buildSamplerChain } from "./sampler-chain.js";
import { StopMatcher } from "./stop-matcher.js";
import { ThreadTuner } from "./thread-tuner.js";
import type { Vocab } from "./vocab.js";

/** Tokens at the start of a sequence a context shift keeps (the BOS and the start of the prompt). */
const KEEP_ON_SHIFT = 4;

/** What the engine hands a model: native handles it owns from now on, and services it shares. */
export interface NativeModelParts {
  api: LlamaApi;
  model: Ptr;
  ctx: Ptr;
  vocab: Vocab;
  threadpool: Ptr | null;
  spec: LoadSpec;
  /** Context tokens per sequence. */
  seqContext: number;
  nBatch: number;
  threads: number;
  /** Renders a chat into prompt tokens and the template's end-of-turn stops (node-llama-cpp's chat wrappers). */
  renderChat: (input: Extract<GenerationInput, { kind: "chat" }>) => Promise<{ tokens: Int32Array; stops: string[]; stopTokens: number[] }>;
  /** JSON schema text → GBNF (node-llama-cpp's converter). */
  schemaGrammar: (schemaText: string) => Promise<string>;
  memory: () => Promise<MemorySample>;
  /** Creates an embedding context sharing the model (on first embed). */
  createEmbeddingContext: (size: number) => Ptr;
}

/** One generation in the decode loop. */
interface Job {
  seq: number;
  prompt: Int32Array;
  /** Prompt tokens already in the batch/KV. */
  fed: number;
  /** Tokens of this sequence in the KV cache (its next position). */
  nPast: number;
  sampler: Ptr;
  /** The token to feed next (after the prompt). */
  next: number;
  /** Row of this job's logits in the current batch, -1 when it has none. */
  row: number;
  generated: number;
  maxTokens: number;
  decoder: TextDecoder;
  stop: StopMatcher;
  stopTokens: Set<number>;
  sink: PieceSink;
  signal: AbortSignal;
  t0: number;
  firstAt: number;
  lastAt: number;
  pendingTokens: number;
  resolve: (r: GenerationResult) => void;
  reject: (e: unknown) => void;
  /** The request's own stop strings (a chat template's end-of-turn strings end with "stop", not "stop_sequence"). */
  userStops: Set<string>;
  /** Tokens this generation put in its sequence (prompt + generated), kept as the slot's cache. */
  history: number[];
}

/**
 * A loaded model and its decode loop: llama-server's slot loop in the runner's own thread. Each step builds one
 * batch — the sampled token of every generating sequence, then prompt tokens of new requests up to n_batch
 * (continuous batching: a new request joins the running ones at the next step) — calls llama_decode
 * synchronously (the calling thread is ggml's thread 0, the others wait in a persistent threadpool), samples each
 * sequence with its own llama.cpp sampler chain and detokenizes; between steps the event loop runs (IPC, cancels).
 * A sequence keeps its tokens after a request, so the next request that shares the prefix (a chat's next turn)
 * evaluates only what is new.
 */
export class NativeModel implements LoadedModel {
  private readonly api: LlamaApi;
  private readonly batch: RawBatch;
  private readonly tok: Int32Array;
  private readonly pos: Int32Array;
  private readonly nSeq: Int32Array;
  private readonly seqIds: Int32Array[];
  private readonly logits: Int8Array;
  private readonly mem: Ptr;
  private readonly jobs: Job[] = [];
  private readonly freeSeqs: number[] = [];
  /** Per sequence: the tokens its KV cache holds. */
  private readonly cached: number[][];
  private readonly decodeStarted: (() => void)[] = [];
  private running = false;
  private disposed = false;
  readonly tuner: ThreadTuner;
  private appliedThreads: number;
  private embedCtx: Ptr | undefined;
  private embedQueue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, Promise<string>>();

  constructor(private readonly p: NativeModelParts) {
    this.api = p.api;
    const f = this.api.fn;
    this.batch = f.batchInit(p.nBatch, 0, 1) as RawBatch;
    ({ tok: this.tok, pos: this.pos, nSeq: this.nSeq, logits: this.logits, seqIds: this.seqIds } = batchViews(this.batch, p.nBatch));
    this.mem = f.getMemory(p.ctx) as Ptr;
    this.cached = Array.from({ length: p.spec.parallel }, () => []);
    for (let s = p.spec.parallel - 1; s >= 0; s--) this.freeSeqs.push(s);
    this.tuner = new ThreadTuner({ maxThreads: p.threads });
    this.appliedThreads = p.threads;
  }

  whileDecoding(fn: () => void): void {
    this.decodeStarted.push(fn);
    if (!this.running) setImmediate(() => this.runDecodeStarted());
  }

  private runDecodeStarted(): void {
    for (const fn of this.decodeStarted.splice(0)) fn();
  }

  async generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult> {
    if (this.disposed) throw new CortexError("INTERNAL", "model is unloaded");
    const t0 = performance.now();
    const s = resolveSampling(sampling);
    const grammar = s.grammar ?? (s.jsonSchema !== undefined ? await this.grammarFor(s.jsonSchema) : undefined);
    let prompt: Int32Array;
    let stops = s.stop;
    let stopTokens: number[] = [];
    if (input.kind === "completion") {
      // As llama-server's /completion: BOS as the vocab asks, special-token text parsed.
      prompt = this.p.vocab.tokenize(input.prompt, true, true);
    } else {
      const r = await this.p.renderChat(input);
      prompt = r.tokens;
      stops = [...r.stops, ...s.stop];
      stopTokens = r.stopTokens;
    }
    if (prompt.length === 0) throw new CortexError("REQ_INVALID_ARGUMENT", "the prompt is empty (no tokens)");
    if (prompt.length >= this.p.seqContext) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `the prompt does not fit in the model's context of ${this.p.seqContext} tokens: it has ${prompt.length} tokens`);
    }
    const seq = this.freeSeqs.pop();
    if (seq === undefined) throw new CortexError("INF_BUSY", `${this.p.spec.path}: all ${this.p.spec.parallel} sequences are busy`);
    let sampler: Ptr;
    try {
      sampler = buildSamplerChain(this.api, this.p.vocab.ptr, {
        temperature: s.temperature,
        topK: s.topK,
        topP: s.topP,
        minP: s.minP,
        repeatPenalty: s.repeatPenalty,
        repeatLastN: SAMPLING_DEFAULTS.repeatLastN,
        frequencyPenalty: s.frequencyPenalty,
        presencePenalty: s.presencePenalty,
        ...(s.seed === undefined ? {} : { seed: s.seed }),
        ...(grammar === undefined ? {} : { grammar }),
      });
    } catch (err) {
      this.freeSeqs.push(seq);
      throw err;
    }
    // Reuse what the sequence already holds: keep the common prefix, always evaluate at least one prompt token.
    const cache = this.cached[seq]!;
    let keep = 0;
    while (keep < cache.length && keep < prompt.length - 1 && cache[keep] === prompt[keep]) keep++;
    this.api.fn.memorySeqRm(this.mem, seq, keep, -1);
    cache.length = keep;
    const userStops = new Set(s.stop);
    return new Promise<GenerationResult>((resolve, reject) => {
      const job: Job = {
        seq,
        prompt,
        fed: keep,
        nPast: keep,
        sampler,
        next: -1,
        row: -1,
        generated: 0,
        maxTokens: s.maxTokens,
        decoder: new TextDecoder("utf-8"),
        stop: new StopMatcher(stops),
        stopTokens: new Set(stopTokens),
        sink,
        signal,
        t0,
        firstAt: 0,
        lastAt: 0,
        pendingTokens: 0,
        resolve,
        userStops,
        reject,
        history: cache,
      };
      for (let i = keep; i < prompt.length; i++) cache.push(prompt[i]!);
      this.jobs.push(job);
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => this.loop());
  }

  /** One decode step, then the next after the event loop has had its turn. */
  private loop(): void {
    try {
      this.step();
    } catch (err) {
      for (const j of this.jobs.splice(0)) this.fail(j, err);
    }
    if (this.jobs.length > 0 && !this.disposed) {
      setImmediate(() => this.loop());
    } else {
      this.running = false;
      if (this.decodeStarted.length > 0) this.runDecodeStarted();
    }
  }

  private step(): void {
    for (const j of [...this.jobs]) if (j.signal.aborted) this.end(j, "cancelled");
    if (this.jobs.length === 0) return;
    const cap = this.p.nBatch;
    let n = 0;
    let decodeRows = 0;
    const add = (token: number, pos: number, seq: number, wantLogits: boolean) => {
      this.tok[n] = token;
      this.pos[n] = pos;
      this.nSeq[n] = 1;
      this.seqIds[n]![0] = seq;
      this.logits[n] = wantLogits ? 1 : 0;
      n++;
    };
    // Generating sequences first: one token each.
    for (const j of this.jobs) {
      j.row = -1;
      if (j.fed < j.prompt.length) continue;
      j.row = n;
      add(j.next, j.nPast, j.seq, true);
      j.history.push(j.next);
      j.nPast++;
      decodeRows++;
    }
    // Then prompts, as much of each as the batch holds.
    for (const j of this.jobs) {
      if (j.fed >= j.prompt.length || n >= cap) continue;
      const take = Math.min(cap - n, j.prompt.length - j.fed);
      for (let i = 0; i < take; i++) {
        const last = j.fed + i === j.prompt.length - 1;
        if (last) j.row = n;
        add(j.prompt[j.fed + i]!, j.nPast + i, j.seq, last);
      }
      j.fed += take;
      j.nPast += take;
    }
    const promptOnly = decodeRows === 0;
    this.runDecodeStarted();
    this.applyThreads(promptOnly ? this.p.threads : this.tuner.current);
    const t = performance.now();
    const rc = this.api.fn.decode(this.p.ctx, { ...this.batch, n_tokens: n }) as number;
    const ms = performance.now() - t;
    if (rc !== 0) throw new CortexError("INTERNAL", `llama_decode failed (${rc}${rc === 1 ? ": no room in the KV cache" : rc === 2 ? ": aborted" : ""})`);
    // Only pure decode steps measure the thread count (a prompt chunk's time says nothing about it).
    if (decodeRows === n) this.tuner.record(ms, String(n));
    const now = performance.now();
    for (const j of [...this.jobs]) if (j.row >= 0) this.sample(j, now);
  }

  /**
   * Decodes on `n` threads. On one thread the pool is detached and paused: its idle workers would otherwise poll
   * (spin) for the next graph and take the very core the single decode thread needs; without a pool ggml runs a
   * one-thread graph on the caller alone, creating no thread.
   */
  private applyThreads(n: number): void {
    if (n === this.appliedThreads) return;
    const f = this.api.fn;
    const pool = this.p.threadpool;
    if (pool && n === 1) {
      f.detachThreadpool(this.p.ctx);
      this.api.threadpoolPause?.(pool);
      f.setNThreads(this.p.ctx, 1, 1);
    } else {
      if (pool && this.appliedThreads === 1) {
        this.api.threadpoolResume?.(pool);
        f.attachThreadpool(this.p.ctx, pool, pool);
      }
      f.setNThreads(this.p.ctx, n, this.p.threads);
    }
    this.appliedThreads = n;
  }

  private sample(j: Job, now: number): void {
    const f = this.api.fn;
    const token = f.samplerSample(j.sampler, this.p.ctx, j.row) as number;
    if (!j.firstAt) j.firstAt = now;
    j.lastAt = now;
    if (this.p.vocab.isEog(token) || j.stopTokens.has(token)) return this.end(j, "stop");
    j.generated++;
    j.pendingTokens++;
    j.next = token;
    const text = j.decoder.decode(this.p.vocab.pieceBytes(token), { stream: true });
    const r = j.stop.push(text);
    if (r.text !== "") {
      j.sink(r.text, j.pendingTokens);
      j.pendingTokens = 0;
    }
    if (r.stopped) return this.end(j, j.userStops.has(r.hit!) ? "stop_sequence" : "stop", true);
    if (j.maxTokens > 0 && j.generated >= j.maxTokens) return this.end(j, "length");
    // The sampled token goes in at the next step: its position must fit the sequence's context. With max_tokens 0
    // ("until done") a full context ends the generation, as llama-server does; with a limit the context shifts as
    // node-llama-cpp and Ollama do: the older half after the prompt's first tokens is dropped.
    if (j.nPast >= this.p.seqContext && !(j.maxTokens > 0 && this.shift(j))) return this.end(j, "length");
  }

  private shift(j: Job): boolean {
    const f = this.api.fn;
    if (!(f.memoryCanShift(this.mem) as boolean)) return false;
    const keep = Math.min(KEEP_ON_SHIFT, j.prompt.length);
    const discard = Math.floor((j.nPast - keep) / 2);
    if (discard <= 0) return false;
    f.memorySeqRm(this.mem, j.seq, keep, keep + discard);
    f.memorySeqAdd(this.mem, j.seq, keep + discard, j.nPast, -discard);
    j.nPast -= discard;
    j.history.splice(keep, discard);
    return true;
  }

  private end(j: Job, reason: FinishReason, atStopString = false): void {
    const i = this.jobs.indexOf(j);
    if (i >= 0) this.jobs.splice(i, 1);
    // Text held back as a possible stop string's start is emitted, unless a stop string ended it.
    const rest = atStopString ? "" : j.stop.push(j.decoder.decode()).text + j.stop.flush();
    if (rest !== "" || j.pendingTokens > 0) j.sink(rest, j.pendingTokens);
    this.release(j);
    const now = performance.now();
    const decodeMs = j.lastAt - j.firstAt;
    const result: GenerationResult = {
      promptTokens: j.prompt.length,
      generatedTokens: j.generated,
      firstTokenMs: (j.firstAt || now) - j.t0,
      tokensPerSecond: j.generated > 1 && decodeMs > 0 ? ((j.generated - 1) * 1000) / decodeMs : 0,
      totalMs: now - j.t0,
      finishReason: reason,
    };
    this.p.memory().then(
      (memory) => j.resolve({ ...result, memory }),
      () => j.resolve(result),
    );
  }

  private fail(j: Job, err: unknown): void {
    this.release(j);
    // Its KV content is unknown after a failed decode.
    this.api.fn.memorySeqRm(this.mem, j.seq, -1, -1);
    this.cached[j.seq]!.length = 0;
    j.reject(err);
  }

  private release(j: Job): void {
    this.api.fn.samplerFree(j.sampler);
    // What the cache really holds: tokens up to nPast (a token sampled last was never decoded).
    const cache = this.cached[j.seq]!;
    if (cache.length > j.nPast) cache.length = j.nPast;
    this.freeSeqs.push(j.seq);
  }

  private grammarFor(schemaText: string): Promise<string> {
    let g = this.grammars.get(schemaText);
    if (!g) {
      g = this.p.schemaGrammar(schemaText);
      g.catch(() => this.grammars.delete(schemaText));
      if (this.grammars.size >= 32) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(schemaText, g);
    }
    return g;
  }

  /** Embeds each input in turn on an embedding context of its own (created on first use). */
  embed(inputs: readonly string[]): Promise<EmbedResult> {
    const run = async (): Promise<EmbedResult> => {
      const size = Math.min(this.p.seqContext, 8192);
      this.embedCtx ??= this.p.createEmbeddingContext(size);
      const ctx = this.embedCtx;
      const f = this.api.fn;
      const nEmbd = f.modelNEmbd(this.p.model) as number;
      const pooled = (f.poolingType(ctx) as number) > 0;
      const mem = f.getMemory(ctx) as Ptr;
      const batch = f.batchInit(size, 0, 1) as RawBatch;
      try {
        const { tok, pos, nSeq, logits, seqIds: seqViews } = batchViews(batch, size);
        const vectors: Float32Array[] = [];
        let promptTokens = 0;
        for (const [i, text] of inputs.entries()) {
          const tokens = this.p.vocab.tokenize(text, true, false);
          if (tokens.length > size) throw new CortexError("REQ_INVALID_ARGUMENT", `inputs[${i}] has ${tokens.length} tokens, more than the embedding context of ${size}`);
          if (tokens.length === 0) throw new CortexError("REQ_INVALID_ARGUMENT", `inputs[${i}] has no tokens`);
          promptTokens += tokens.length;
          f.memoryClear(mem, true);
          for (let k = 0; k < tokens.length; k++) {
            tok[k] = tokens[k]!;
            pos[k] = k;
            nSeq[k] = 1;
            seqViews[k]![0] = 0;
            logits[k] = pooled || k === tokens.length - 1 ? 1 : 0;
          }
          const rc = f.decode(ctx, { ...batch, n_tokens: tokens.length }) as number;
          if (rc !== 0) throw new CortexError("INTERNAL", `llama_decode failed while embedding (${rc})`);
          const ptr = (pooled ? f.getEmbeddingsSeq(ctx, 0) : f.getEmbeddingsIth(ctx, tokens.length - 1)) as Ptr | null;
          if (!ptr) throw new CortexError("INTERNAL", "llama.cpp returned no embedding");
          vectors.push(new Float32Array(koffi.view(ptr, nEmbd * 4).slice(0)));
        }
        return { vectors, promptTokens };
      } finally {
        f.batchFree(batch);
      }
    };
    const next = this.embedQueue.then(run, run);
    this.embedQueue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const j of this.jobs.splice(0)) this.fail(j, new CortexError("JOB_CANCELLED", "the model was unloaded"));
    await this.embedQueue.catch(() => undefined);
    const f = this.api.fn;
    f.batchFree(this.batch);
    if (this.embedCtx) f.free(this.embedCtx);
    f.free(this.p.ctx);
    if (this.p.threadpool && this.api.threadpoolFree) this.api.threadpoolFree(this.p.threadpool);
    f.modelFree(this.p.model);
  }
}

/** Views on a llama_batch_init batch's native arrays (one sequence id per token): the loop writes them in place. */
function batchViews(batch: RawBatch, n: number): { tok: Int32Array; pos: Int32Array; nSeq: Int32Array; logits: Int8Array; seqIds: Int32Array[] } {
  const seqPtrs = koffi.decode(batch.seq_id!, "void *", n) as Ptr[];
  return {
    tok: new Int32Array(koffi.view(batch.token!, n * 4)),
    pos: new Int32Array(koffi.view(batch.pos!, n * 4)),
    nSeq: new Int32Array(koffi.view(batch.n_seq_id!, n * 4)),
    logits: new Int8Array(koffi.view(batch.logits!, n)),
    seqIds: seqPtrs.map((ptr) => new Int32Array(koffi.view(ptr, 4))),
  };
}

import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
} from "node-llama-cpp";
import { CortexError, errorMessage } from "../../errors/cortex-error.js";
import type { DeviceInfo, EmbedResult, FinishReason, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "./engine-types.js";
import { resolveSampling, SAMPLING_DEFAULTS } from "./sampling-defaults.js";
import { chatFunctions, toHistory } from "./chat-history.js";
import type { InferenceEngine, LoadedModel } from "./engine.js";

const LOG_LINES = 40;

/**
 * The native boundary for inference: the one place that drives node-llama-cpp's Llama, models and contexts.
 * A runner process holds one engine and (at most) one model; the pool never sees node-llama-cpp objects.
 */
export class LlamaEngine implements InferenceEngine {
  private readonly log: string[] = [];

  private constructor(readonly llama: Llama, private readonly threads: number) {}

  /**
   * Every context gets its threads explicitly (the load spec's, default the machine's real cores) and maxThreads
   * is 0, which makes that number exact: node-llama-cpp's default is at least 4 threads, which on a 2-core machine
   * makes ggml's spin barriers oversubscribe the CPU and generation >10× slower.
   */
  static async create(opts: { threads: number; gpu: "auto" | false }): Promise<LlamaEngine> {
    let engine: LlamaEngine | undefined;
    const llama = await getLlama({
      gpu: opts.gpu,
      build: "never",
      maxThreads: 0,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => engine?.record(level, message),
    });
    engine = new LlamaEngine(llama, opts.threads);
    return engine;
  }

  private record(level: LlamaLogLevel, message: string): void {
    const text = message.trimEnd();
    if (!text) return;
    this.log.push(`${level}: ${text}`);
    if (this.log.length > LOG_LINES) this.log.shift();
  }

  /** The last llama.cpp warnings and errors: a failed load only throws "Failed to load model", the cause is here. */
  recentLog(): string[] {
    return [...this.log];
  }

  async device(): Promise<DeviceInfo> {
    const vram = await this.llama.getVramState();
    return {
      gpu: this.llama.gpu,
      vramTotalBytes: vram.total,
      vramFreeBytes: vram.free,
      unifiedMemoryBytes: vram.unifiedSize,
      cpuMathCores: this.llama.cpuMathCores,
    };
  }

  async memory(): Promise<MemorySample> {
    const usage = await this.llama.getLlamaMemoryUsage();
    return { memoryBytes: usage.cpuRam + usage.gpuVram, vramBytes: usage.gpuVram, processRssBytes: process.memoryUsage().rss };
  }

  /** Loads the model and creates its context with `parallel` sequences; measures what that allocated. */
  async load(spec: LoadSpec): Promise<{ model: EngineModel; result: LoadResult }> {
    const t0 = performance.now();
    const before = await this.llama.getLlamaMemoryUsage();
    let model: LlamaModel | undefined;
    try {
      model = await this.llama.loadModel({ modelPath: spec.path, gpuLayers: spec.gpuLayers === "auto" ? "auto" : spec.gpuLayers });
      const decodeStarted: (() => void)[] = [];
      const context = await model.createContext({
        contextSize: spec.contextSize,
        sequences: spec.parallel,
        threads: spec.threads || this.threads,
        failedCreationRemedy: false,
        // node-llama-cpp's own schedule ("nextCycle": setImmediate), then the work queued for when a decode has
        // started. With every sequence busy (a single request on parallel 1) the batch went to the thread pool in
        // the microtasks before; otherwise dispatch() hands it over a few microtasks after this.
        batching: {
          dispatchSchedule: (dispatch) =>
            setImmediate(() => {
              dispatch();
              for (const fn of decodeStarted.splice(0)) fn();
            }),
        },
      });
      const after = await this.llama.getLlamaMemoryUsage();
      const em = new EngineModel(this, model, context, spec, decodeStarted);
      const result: LoadResult = {
        contextSize: context.contextSize,
        gpuLayers: model.gpuLayers,
        parallel: context.totalSequences,
        loadMs: performance.now() - t0,
        memoryBytes: after.cpuRam + after.gpuVram - (before.cpuRam + before.gpuVram),
        vramBytes: after.gpuVram - before.gpuVram,
        processRssBytes: process.memoryUsage().rss,
        trainContextSize: model.trainContextSize,
        embeddingSize: model.embeddingVectorSize ?? 0,
      };
      return { model: em, result };
    } catch (err) {
      await model?.dispose().catch(() => undefined);
      const cause = this.log.filter((l) => /error|failed|missing|invalid|unknown/i.test(l)).slice(-3).join("; ");
      throw new CortexError("INF_LOAD_FAILED", `${spec.path}: ${errorMessage(err)}${cause ? ` (llama.cpp: ${cause})` : ""}`, { cause: err });
    }
  }

  /** JSON-schema grammars, cached by schema text (compiling one costs milliseconds). */
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  grammarFor(schemaText: string): Promise<LlamaGrammar> {
    let g = this.grammars.get(schemaText);
    if (!g) {
      let schema: unknown;
      try {
        schema = JSON.parse(schemaText);
      } catch (err) {
        throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.json_schema is not valid JSON: ${errorMessage(err)}`);
      }
      g = this.llama.createGrammarForJsonSchema(schema as never).catch((err: unknown) => {
        this.grammars.delete(schemaText);
        throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.json_schema is not a supported JSON schema: ${errorMessage(err)}`);
      }) as Promise<LlamaGrammar>;
      if (this.grammars.size >= 32) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(schemaText, g);
    }
    return g;
  }

  /** A GBNF grammar (rule `root`). */
  async grammarFromGbnf(gbnf: string): Promise<LlamaGrammar> {
    try {
      return await this.llama.createGrammar({ grammar: gbnf });
    } catch (err) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.grammar is not a valid GBNF grammar: ${errorMessage(err)}`);
    }
  }

  async dispose(): Promise<void> {
    await this.llama.dispose();
  }
}

interface Slot {
  sequence: LlamaContextSequence;
  completion?: LlamaCompletion;
}

/** One loaded model: a context whose sequences are the slots parallel requests run in. */
export class EngineModel implements LoadedModel {
  private readonly free: Slot[] = [];
  private created = 0;
  private embedding: Promise<LlamaEmbeddingContext> | undefined;
  private embedQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: LlamaEngine,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly spec: LoadSpec,
    private readonly decodeStarted: (() => void)[] = [],
  ) {}

  /**
   * Runs `fn` once, as soon as the next decode has been handed to llama.cpp: work done then (a runner's IPC write,
   * and the daemon it wakes) overlaps the decoding instead of delaying the next token. During a generation that is
   * within microseconds of each token; `fn` waits for the next generation otherwise.
   */
  whileDecoding(fn: () => void): void {
    this.decodeStarted.push(fn);
  }

  /**
   * The chat template node-llama-cpp resolves from the GGUF (tokenizer.chat_template), on the first chat request:
   * matching a Jinja template against the known wrappers takes ~0.5 s of CPU, which completion-only use never pays.
   */
  private wrapper: ChatWrapper | undefined;
  get chatWrapper(): ChatWrapper {
    this.wrapper ??= resolveChatWrapper(this.model);
    return this.wrapper;
  }

  private takeSlot(): Slot {
    const slot = this.free.pop();
    if (slot) return slot;
    if (this.created >= this.context.totalSequences) throw new CortexError("INF_BUSY", `${this.spec.path}: all ${this.context.totalSequences} sequences are busy`);
    this.created++;
    return { sequence: this.context.getSequence() };
  }

  /** Generates into `sink`; stops within one token of `signal` aborting (finish reason "cancelled"). */
  async generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult> {
    const s = resolveSampling(sampling);
    const grammar = s.grammar !== undefined ? await this.engine.grammarFromGbnf(s.grammar) : s.jsonSchema ? await this.engine.grammarFor(s.jsonSchema) : undefined;
    const slot = this.takeSlot();
    const t0 = performance.now();
    let firstAt = 0;
    let lastAt = 0;
    let pendingTokens = 0;
    const meter = slot.sequence.tokenMeter.getState();
    const options = {
      signal,
      stopOnAbortSignal: true,
      temperature: s.temperature,
      topP: s.topP,
      topK: s.topK,
      minP: s.minP,
      ...(s.seed === undefined ? {} : { seed: s.seed }),
      repeatPenalty: s.repeatPenalty === 1 ? (false as const) : { penalty: s.repeatPenalty, lastTokens: SAMPLING_DEFAULTS.repeatLastN },
      customStopTriggers: s.stop,
      ...(grammar ? { grammar } : {}),
      // max_tokens 0: stop when the context is full instead of shifting it forever.
      ...(s.maxTokens > 0 ? { maxTokens: s.maxTokens } : { disableContextShift: true }),
      onToken: (tokens: readonly unknown[]) => {
        lastAt = performance.now();
        if (!firstAt) firstAt = lastAt;
        pendingTokens += tokens.length;
      },
      onTextChunk: (text: string) => {
        sink(text, pendingTokens);
        pendingTokens = 0;
      },
    };
    try {
      let stopReason: string;
      let promptTokens: number;
      if (input.kind === "completion") {
        slot.completion ??= new LlamaCompletion({ contextSequence: slot.sequence });
        promptTokens = this.model.tokenize(input.prompt, false, "trimLeadingSpace").length + (this.model.tokens.shouldPrependBosToken && this.model.tokens.bos !== null ? 1 : 0);
        const res = await slot.completion.generateCompletionWithMeta(input.prompt, options);
        stopReason = res.metadata.stopReason;
      } else {
        // The GGUF's chat template renders the conversation; generation then runs like a completion that stops
        // at the template's end-of-turn triggers. (LlamaChat does the same with segment and function-call
        // detection on every token, which costs ~8 ms per token on CPU; plain chat needs neither.)
        slot.completion ??= new LlamaCompletion({ contextSequence: slot.sequence });
        const functions = input.tools?.length ? chatFunctions(input.tools, this.model.fileInfo.metadata?.tokenizer?.chat_template ?? "", this.spec.path) : undefined;
        const state = this.chatWrapper.generateContextState({ chatHistory: toHistory(input.messages), ...(functions ? { availableFunctions: functions } : {}) });
        const tokens = state.contextText.tokenize(this.model.tokenizer);
        promptTokens = tokens.length;
        const templateStops = state.stopGenerationTriggers;
        const res = await slot.completion.generateCompletionWithMeta(tokens, { ...options, customStopTriggers: [...templateStops, ...s.stop] });
        stopReason = res.metadata.stopReason;
        if (res.metadata.stopReason === "customStopTrigger") {
          const hit = res.metadata.customStopTrigger.map((x) => (typeof x === "string" ? x : "")).join("");
          if (!s.stop.includes(hit)) stopReason = "eogToken";
        }
      }
      if (pendingTokens > 0) sink("", pendingTokens);
      const generated = slot.sequence.tokenMeter.diff(meter).usedOutputTokens;
      const decodeMs = lastAt - firstAt;
      return {
        promptTokens,
        generatedTokens: generated,
        firstTokenMs: firstAt ? firstAt - t0 : performance.now() - t0,
        tokensPerSecond: generated > 1 && decodeMs > 0 ? ((generated - 1) * 1000) / decodeMs : 0,
        totalMs: performance.now() - t0,
        finishReason: signal.aborted ? "cancelled" : finishReason(stopReason),
        memory: await this.engine.memory(),
      };
    } catch (err) {
      if (signal.aborted) throw new CortexError("JOB_CANCELLED", "generation cancelled");
      if (err instanceof CortexError) throw err;
      if (/context size is too small|too long|exceeds/i.test(errorMessage(err))) {
        throw new CortexError("REQ_INVALID_ARGUMENT", `the prompt does not fit in the model's context of ${this.context.contextSize} tokens: ${errorMessage(err)}`);
      }
      throw new CortexError("INTERNAL", `generation failed: ${errorMessage(err)}`, { cause: err });
    } finally {
      this.free.push(slot);
    }
  }

  /** Embeds each input in turn on one embedding context (created on first use; its memory is measured then). */
  embed(inputs: readonly string[]): Promise<EmbedResult> {
    const run = async (): Promise<EmbedResult> => {
      const size = Math.min(this.spec.contextSize, 8192);
      this.embedding ??= this.model.createEmbeddingContext({ contextSize: size, batchSize: size, threads: this.spec.threads || 1 });
      const ctx = await this.embedding;
      const vectors: Float32Array[] = [];
      let promptTokens = 0;
      for (const [i, text] of inputs.entries()) {
        const tokens = this.model.tokenize(text);
        if (tokens.length > size) {
          throw new CortexError("REQ_INVALID_ARGUMENT", `inputs[${i}] has ${tokens.length} tokens, more than the embedding context of ${size}`);
        }
        promptTokens += tokens.length;
        vectors.push(Float32Array.from((await ctx.getEmbeddingFor(tokens)).vector));
      }
      return { vectors, promptTokens };
    };
    const next = this.embedQueue.then(run, run);
    this.embedQueue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    if (this.embedding) await (await this.embedding.catch(() => undefined))?.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}

function finishReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case "maxTokens":
      return "length";
    case "customStopTrigger":
      return "stop_sequence";
    case "abort":
      return "cancelled";
    default:
      return "stop";
  }
}

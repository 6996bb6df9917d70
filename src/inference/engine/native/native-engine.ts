import { GeneralChatWrapper, LlamaJsonSchemaGrammar, LlamaText, readGgufFileInfo, resolveChatWrapper, type ChatModelFunctions, type ChatWrapper, type GgufFileInfo, type Tokenizer } from "node-llama-cpp";
import { CortexError, errorMessage } from "../../../errors/cortex-error.js";
import { chatFunctions, toHistory } from "../chat-history.js";
import type { EngineOptions, InferenceEngine, LoadedModel } from "../engine.js";
import type { DeviceInfo, GenerationInput, LoadResult, LoadSpec, MemorySample } from "../engine-types.js";
import { LlamaEngine } from "../llama-engine.js";
import { llamaApi, type LlamaApi, type Ptr } from "./llama-api.js";
import { NativeModel } from "./native-model.js";
import { Vocab } from "./vocab.js";

/** llama-server's defaults: the logical batch a decode call takes and the physical one ggml computes at once. */
const N_BATCH = 2048;
const N_UBATCH = 512;
const LLAMA_FLASH_ATTN_AUTO = -1;
const POOLING_UNSPECIFIED = -1;

/**
 * The native engine: llama.cpp's C API through koffi on the libllama node-llama-cpp loaded (its getLlama picks the
 * binary, the GPU backend and sets up logging — kept through LlamaEngine, which also answers device()).
 * See native-model.ts for the decode loop; here: loading, the threadpool, chat templates and grammars.
 */
export class NativeEngine implements InferenceEngine {
  private readonly loaded = new Set<{ bytes: number; vram: number }>();

  private constructor(
    private readonly host: LlamaEngine,
    private readonly api: LlamaApi,
    private readonly opts: EngineOptions,
  ) {}

  static async create(opts: EngineOptions): Promise<NativeEngine> {
    const host = await LlamaEngine.create(opts);
    return new NativeEngine(host, llamaApi(), opts);
  }

  recentLog(): string[] {
    return this.host.recentLog();
  }

  device(): Promise<DeviceInfo> {
    return this.host.device();
  }

  /** The buffers of the loaded models (weights + KV cache) and the process's resident set. */
  async memory(): Promise<MemorySample> {
    let bytes = 0;
    let vram = 0;
    for (const m of this.loaded) {
      bytes += m.bytes;
      vram += m.vram;
    }
    return { memoryBytes: bytes, vramBytes: vram, processRssBytes: process.memoryUsage().rss };
  }

  async load(spec: LoadSpec): Promise<{ model: LoadedModel; result: LoadResult }> {
    const t0 = performance.now();
    const f = this.api.fn;
    const threads = Math.max(1, spec.threads || this.opts.threads);
    const gpu = this.opts.gpu !== false && (await this.host.device()).gpu !== false;
    const mp = f.modelDefaultParams() as Record<string, unknown>;
    const gpuLayers = !gpu ? 0 : spec.gpuLayers === "auto" ? 999 : spec.gpuLayers;
    mp.n_gpu_layers = gpuLayers;
    const model = f.modelLoad(spec.path, mp) as Ptr | null;
    if (!model) {
      // llama.cpp's log lines reach node-llama-cpp's logger through the event loop: let them arrive first.
      const seen = this.recentLog().length;
      for (let i = 0; i < 20 && this.recentLog().length === seen; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw this.loadError(spec, "llama.cpp could not load the model");
    }
    let ctx: Ptr | null = null;
    let threadpool: Ptr | null = null;
    try {
      const cp = f.contextDefaultParams() as Record<string, unknown>;
      const parallel = Math.max(1, spec.parallel);
      cp.n_ctx = spec.contextSize * parallel;
      cp.n_batch = N_BATCH;
      cp.n_ubatch = N_UBATCH;
      cp.n_seq_max = parallel;
      cp.n_threads = threads;
      cp.n_threads_batch = threads;
      cp.flash_attn_type = LLAMA_FLASH_ATTN_AUTO;
      cp.no_perf = true;
      ctx = f.initFromModel(model, cp) as Ptr | null;
      if (!ctx) throw this.loadError(spec, "llama.cpp could not create the context (not enough memory for the KV cache?)");
      threadpool = this.attachThreadpool(ctx, threads);
      const vocab = new Vocab(this.api, f.modelVocab(model) as Ptr);
      const seqContext = Math.floor((f.nCtx(ctx) as number) / parallel);
      const nLayer = f.modelNLayer(model) as number;
      const nEmbd = f.modelNEmbd(model) as number;
      const nHead = Math.max(1, f.modelNHead(model) as number);
      const nHeadKv = f.modelNHeadKv(model) as number;
      // Weights plus an f16 K and V per layer and context cell (what llama.cpp allocates for a plain transformer).
      const weights = Number(f.modelSize(model) as bigint | number);
      const kv = 2 * 2 * nLayer * Math.floor((nEmbd * nHeadKv) / nHead) * seqContext * parallel;
      const offloaded = gpu ? Math.min(1, gpuLayers / Math.max(1, nLayer)) : 0;
      const account = { bytes: weights + kv, vram: Math.round((weights + kv) * offloaded) };
      this.loaded.add(account);
      const path = spec.path;
      let wrapper: Promise<ChatWrapper> | undefined;
      let info: Promise<GgufFileInfo> | undefined;
      const tokenizer = vocab.tokenizer();
      const nm = new NativeModel({
        api: this.api,
        model,
        ctx,
        vocab,
        threadpool,
        spec: { ...spec, parallel },
        seqContext,
        nBatch: N_BATCH,
        threads,
        renderChat: async (input) => {
          const fileInfo = (info ??= readGgufFileInfo(path, { readTensorInfo: false }));
          wrapper ??= fileInfo.then((fi) => resolveChatWrapper({ bosString: vocab.text(vocab.bos), filename: path, fileInfo: fi, tokenizer }) ?? new GeneralChatWrapper());
          const functions = input.tools?.length ? chatFunctions(input.tools, (await fileInfo).metadata?.tokenizer?.chat_template ?? "", path) : undefined;
          return renderChat(await wrapper, input, functions, tokenizer, vocab);
        },
        schemaGrammar: async (schemaText) => schemaToGbnf(this.host, schemaText),
        memory: () => this.memory(),
        createEmbeddingContext: (size) => this.embeddingContext(model, size, threads, threadpool),
      });
      const origDispose = nm.dispose.bind(nm);
      nm.dispose = async () => {
        await origDispose();
        this.loaded.delete(account);
      };
      const result: LoadResult = {
        contextSize: seqContext,
        gpuLayers: gpu ? Math.min(gpuLayers, nLayer + 1) : 0,
        parallel,
        loadMs: performance.now() - t0,
        memoryBytes: account.bytes,
        vramBytes: account.vram,
        processRssBytes: process.memoryUsage().rss,
        trainContextSize: f.modelNCtxTrain(model) as number,
        embeddingSize: nEmbd,
      };
      return { model: nm, result };
    } catch (err) {
      if (ctx) f.free(ctx);
      if (threadpool && this.api.threadpoolFree) this.api.threadpoolFree(threadpool);
      f.modelFree(model);
      throw err instanceof CortexError ? err : this.loadError(spec, errorMessage(err));
    }
  }

  /**
   * A persistent ggml threadpool for the context, as llama-server attaches one. Without it the CPU backend built
   * without OpenMP (node-llama-cpp's prebuilt) creates and joins threads-1 OS threads for every graph — every
   * token — which on a 2-core VM made decoding 10-40× slower than llama-server.
   */
  private attachThreadpool(ctx: Ptr, threads: number): Ptr | null {
    if (!this.api.threadpoolNew || threads <= 1) return null;
    const params: Record<string, unknown> = {};
    this.api.threadpoolParamsInit(params, threads);
    const tp = this.api.threadpoolNew(params) as Ptr | null;
    if (tp) this.api.fn.attachThreadpool(ctx, tp, tp);
    return tp;
  }

  private embeddingContext(model: Ptr, size: number, threads: number, threadpool: Ptr | null): Ptr {
    const f = this.api.fn;
    const cp = f.contextDefaultParams() as Record<string, unknown>;
    cp.n_ctx = size;
    cp.n_batch = size;
    cp.n_ubatch = size;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.embeddings = true;
    cp.pooling_type = POOLING_UNSPECIFIED;
    cp.no_perf = true;
    const ctx = f.initFromModel(model, cp) as Ptr | null;
    if (!ctx) throw new CortexError("INTERNAL", "llama.cpp could not create an embedding context");
    if (threadpool) f.attachThreadpool(ctx, threadpool, threadpool);
    return ctx;
  }

  private loadError(spec: LoadSpec, what: string): CortexError {
    const cause = this.recentLog()
      .filter((l) => /error|failed|missing|invalid|unknown/i.test(l))
      .slice(-3)
      .join("; ");
    return new CortexError("INF_LOAD_FAILED", `${spec.path}: ${what}${cause ? ` (llama.cpp: ${cause})` : ""}`);
  }

  async dispose(): Promise<void> {
    await this.host.dispose();
  }
}

async function renderChat(
  wrapper: ChatWrapper,
  input: Extract<GenerationInput, { kind: "chat" }>,
  functions: ChatModelFunctions | undefined,
  tokenizer: Tokenizer,
  vocab: Vocab,
): Promise<{ tokens: Int32Array; stops: string[]; stopTokens: number[] }> {
  // The GGUF's chat template as node-llama-cpp resolves it (tokenizer.chat_template → a known wrapper or Jinja).
  const state = wrapper.generateContextState({ chatHistory: toHistory(input.messages), ...(functions ? { availableFunctions: functions } : {}) });
  const tokens = Int32Array.from(state.contextText.tokenize(tokenizer) as number[]);
  const stops: string[] = [];
  const stopTokens: number[] = [];
  for (const trigger of state.stopGenerationTriggers) {
    const text = LlamaText(trigger);
    if (text.values.every((v) => typeof v === "string")) {
      const s = text.values.join("");
      if (s !== "") stops.push(s);
      continue;
    }
    const ids = text.tokenize(tokenizer) as number[];
    if (ids.length === 1) stopTokens.push(ids[0]!);
    else if (ids.length > 1) stops.push(vocab.detokenize(ids, false));
  }
  return { tokens, stops, stopTokens };
}

function schemaToGbnf(host: LlamaEngine, schemaText: string): string {
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.json_schema is not valid JSON: ${errorMessage(err)}`);
  }
  try {
    // node-llama-cpp's JSON-schema → GBNF converter (the grammar text only; llama.cpp's sampler applies it).
    return new LlamaJsonSchemaGrammar(host.llama, schema as never).grammar;
  } catch (err) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.json_schema is not a supported JSON schema: ${errorMessage(err)}`);
  }
}

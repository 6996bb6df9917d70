/**
 * The C API of llama.cpp (include/llama.h of the release node-llama-cpp bundles) as koffi declarations: the one
 * module of the native engine that knows struct layouts and symbol names. Opened on the libllama the process has
 * already mapped (node-llama-cpp's getLlama chose it: CPU variant, Metal, CUDA…), never a second copy.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import koffi, { type LibraryHandle } from "koffi";
import { CortexError } from "../../../errors/cortex-error.js";
import { locateNativeLibraries } from "../../../quantize/native-library-path.js";

/** Opaque native handles (llama_model *, llama_context *, llama_sampler *, …) as koffi hands them out. */
export type Ptr = object;

/** llama_batch's members (llama_batch_init allocates them; we write through views). */
export interface RawBatch {
  n_tokens: number;
  token: Ptr | null;
  embd: Ptr | null;
  pos: Ptr | null;
  n_seq_id: Ptr | null;
  seq_id: Ptr | null;
  logits: Ptr | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- koffi's call signatures are untyped; llama.ts wraps them. */
type Fn = (...args: any[]) => any;

export interface LlamaApi {
  readonly libraryPath: string;
  readonly fn: Record<FnName, Fn>;
  /** ggml-cpu's threadpool functions, reached through the CPU backend's registry (the CPU backend is a module). */
  readonly threadpoolNew: Fn | undefined;
  readonly threadpoolFree: Fn | undefined;
  readonly threadpoolPause: Fn | undefined;
  readonly threadpoolResume: Fn | undefined;
  readonly threadpoolParamsInit: Fn;
}

const DECLS = {
  modelDefaultParams: "cortex_llama_model_params llama_model_default_params()",
  contextDefaultParams: "cortex_llama_context_params llama_context_default_params()",
  modelLoad: "void *llama_model_load_from_file(const char *path, cortex_llama_model_params params)",
  modelFree: "void llama_model_free(void *model)",
  initFromModel: "void *llama_init_from_model(void *model, cortex_llama_context_params params)",
  free: "void llama_free(void *ctx)",
  nCtx: "uint32_t llama_n_ctx(void *ctx)",
  nBatch: "uint32_t llama_n_batch(void *ctx)",
  nSeqMax: "uint32_t llama_n_seq_max(void *ctx)",
  getMemory: "void *llama_get_memory(void *ctx)",
  poolingType: "int llama_pooling_type(void *ctx)",
  modelVocab: "void *llama_model_get_vocab(void *model)",
  modelNCtxTrain: "int32_t llama_model_n_ctx_train(void *model)",
  modelNEmbd: "int32_t llama_model_n_embd(void *model)",
  modelNLayer: "int32_t llama_model_n_layer(void *model)",
  modelNHead: "int32_t llama_model_n_head(void *model)",
  modelNHeadKv: "int32_t llama_model_n_head_kv(void *model)",
  modelSize: "uint64_t llama_model_size(void *model)",
  modelHasEncoder: "bool llama_model_has_encoder(void *model)",
  vocabNTokens: "int32_t llama_vocab_n_tokens(void *vocab)",
  vocabIsEog: "bool llama_vocab_is_eog(void *vocab, int32_t token)",
  vocabIsControl: "bool llama_vocab_is_control(void *vocab, int32_t token)",
  vocabBos: "int32_t llama_vocab_bos(void *vocab)",
  vocabEos: "int32_t llama_vocab_eos(void *vocab)",
  vocabEot: "int32_t llama_vocab_eot(void *vocab)",
  vocabSep: "int32_t llama_vocab_sep(void *vocab)",
  vocabNl: "int32_t llama_vocab_nl(void *vocab)",
  vocabGetText: "const char *llama_vocab_get_text(void *vocab, int32_t token)",
  vocabAddBos: "bool llama_vocab_get_add_bos(void *vocab)",
  memoryClear: "void llama_memory_clear(void *mem, bool data)",
  memorySeqRm: "bool llama_memory_seq_rm(void *mem, int32_t seq, int32_t p0, int32_t p1)",
  memorySeqAdd: "void llama_memory_seq_add(void *mem, int32_t seq, int32_t p0, int32_t p1, int32_t delta)",
  memoryCanShift: "bool llama_memory_can_shift(void *mem)",
  batchInit: "cortex_llama_batch llama_batch_init(int32_t n_tokens, int32_t embd, int32_t n_seq_max)",
  batchFree: "void llama_batch_free(cortex_llama_batch batch)",
  decode: "int32_t llama_decode(void *ctx, cortex_llama_batch batch)",
  setNThreads: "void llama_set_n_threads(void *ctx, int32_t n_threads, int32_t n_threads_batch)",
  attachThreadpool: "void llama_attach_threadpool(void *ctx, void *threadpool, void *threadpool_batch)",
  detachThreadpool: "void llama_detach_threadpool(void *ctx)",
  setEmbeddings: "void llama_set_embeddings(void *ctx, bool embeddings)",
  getEmbeddingsSeq: "float *llama_get_embeddings_seq(void *ctx, int32_t seq)",
  getEmbeddingsIth: "float *llama_get_embeddings_ith(void *ctx, int32_t i)",
  tokenize: "int32_t llama_tokenize(void *vocab, const char *text, int32_t text_len, _Out_ int32_t *tokens, int32_t n_tokens_max, bool add_special, bool parse_special)",
  tokenToPiece: "int32_t llama_token_to_piece(void *vocab, int32_t token, _Out_ uint8_t *buf, int32_t length, int32_t lstrip, bool special)",
  chainDefaultParams: "cortex_llama_sampler_chain_params llama_sampler_chain_default_params()",
  chainInit: "void *llama_sampler_chain_init(cortex_llama_sampler_chain_params params)",
  chainAdd: "void llama_sampler_chain_add(void *chain, void *smpl)",
  samplerFree: "void llama_sampler_free(void *smpl)",
  samplerSample: "int32_t llama_sampler_sample(void *smpl, void *ctx, int32_t idx)",
  initGreedy: "void *llama_sampler_init_greedy()",
  initDist: "void *llama_sampler_init_dist(uint32_t seed)",
  initTopK: "void *llama_sampler_init_top_k(int32_t k)",
  initTopP: "void *llama_sampler_init_top_p(float p, size_t min_keep)",
  initMinP: "void *llama_sampler_init_min_p(float p, size_t min_keep)",
  initTemp: "void *llama_sampler_init_temp(float t)",
  initPenalties: "void *llama_sampler_init_penalties(int32_t last_n, float repeat, float freq, float present)",
  initGrammar: "void *llama_sampler_init_grammar(void *vocab, const char *grammar, const char *root)",
} as const;
export type FnName = keyof typeof DECLS;

let types: Record<string, unknown> | undefined;
function declareTypes(): void {
  if (types) return;
  const modelParams = koffi.struct("cortex_llama_model_params", {
    devices: "void *",
    tensor_buft_overrides: "void *",
    n_gpu_layers: "int32_t",
    split_mode: "int",
    load_mode: "int",
    lazy_mode: "int",
    main_gpu: "int32_t",
    tensor_split: "void *",
    progress_callback: "void *",
    progress_callback_user_data: "void *",
    kv_overrides: "void *",
    vocab_only: "bool",
    check_tensors: "bool",
    use_extra_bufts: "bool",
    no_host: "bool",
    no_alloc: "bool",
    load_mtp: "bool",
  });
  const contextParams = koffi.struct("cortex_llama_context_params", {
    n_ctx: "uint32_t",
    n_batch: "uint32_t",
    n_ubatch: "uint32_t",
    n_seq_max: "uint32_t",
    n_rs_seq: "uint32_t",
    n_outputs_max: "uint32_t",
    n_outputs_max_per_seq: "uint32_t",
    n_threads: "int32_t",
    n_threads_batch: "int32_t",
    ctx_type: "int",
    rope_scaling_type: "int",
    pooling_type: "int",
    attention_type: "int",
    flash_attn_type: "int",
    rope_freq_base: "float",
    rope_freq_scale: "float",
    yarn_ext_factor: "float",
    yarn_attn_factor: "float",
    yarn_beta_fast: "float",
    yarn_beta_slow: "float",
    yarn_orig_ctx: "uint32_t",
    defrag_thold: "float",
    cb_eval: "void *",
    cb_eval_user_data: "void *",
    type_k: "int",
    type_v: "int",
    abort_callback: "void *",
    abort_callback_data: "void *",
    embeddings: "bool",
    offload_kqv: "bool",
    no_perf: "bool",
    op_offload: "bool",
    swa_full: "bool",
    kv_unified: "bool",
    samplers: "void *",
    n_samplers: "size_t",
    ctx_other: "void *",
  });
  const batch = koffi.struct("cortex_llama_batch", {
    n_tokens: "int32_t",
    token: "void *",
    embd: "void *",
    pos: "void *",
    n_seq_id: "void *",
    seq_id: "void *",
    logits: "void *",
  });
  const chain = koffi.struct("cortex_llama_sampler_chain_params", { no_perf: "bool" });
  const tpParams = koffi.struct("cortex_ggml_threadpool_params", {
    cpumask: koffi.array("bool", 512),
    n_threads: "int",
    prio: "int",
    poll: "uint32_t",
    strict_cpu: "bool",
    paused: "bool",
  });
  types = { modelParams, contextParams, batch, chain, tpParams };
}

/**
 * The absolute path of the libllama this process has mapped (Linux: /proc/self/maps), else node-llama-cpp's
 * prebuilt one for the platform (macOS has one package per arch, the one getLlama loads).
 */
export function loadedLibllamaPath(): string {
  if (process.platform === "linux") {
    try {
      const maps = readFileSync("/proc/self/maps", "utf8");
      for (const line of maps.split("\n")) {
        const file = line.slice(line.indexOf("/"));
        if (line.includes("/") && /\/libllama(\.[A-Za-z0-9_.]+)?\.so(\.\d+)*$/.test(file)) return file;
      }
    } catch {
      // Not readable: fall back to the prebuilt package.
    }
  }
  return locateNativeLibraries().llama;
}

let api: LlamaApi | undefined;

/** Binds the C API (once per process). Call after node-llama-cpp's getLlama() has loaded and initialised it. */
export function llamaApi(): LlamaApi {
  if (api) return api;
  declareTypes();
  const libraryPath = loadedLibllamaPath();
  let lib: LibraryHandle;
  let ggml: LibraryHandle;
  let ggmlBase: LibraryHandle;
  try {
    lib = koffi.load(libraryPath);
    const dir = path.dirname(libraryPath);
    const files = locateFromDir(dir);
    ggml = koffi.load(files.ggml);
    ggmlBase = koffi.load(files.ggmlBase);
  } catch (err) {
    throw new CortexError("INF_LOAD_FAILED", `cannot open llama.cpp's library ${libraryPath}: ${(err as Error).message}`);
  }
  const fn = {} as Record<FnName, Fn>;
  for (const [name, decl] of Object.entries(DECLS)) fn[name as FnName] = lib.func(decl) as Fn;
  const regByName = ggml.func("void *ggml_backend_reg_by_name(const char *name)") as Fn;
  const procAddress = ggml.func("void *ggml_backend_reg_get_proc_address(void *reg, const char *name)") as Fn;
  const cpuReg = regByName("CPU") as Ptr | null;
  const newPtr = cpuReg ? (procAddress(cpuReg, "ggml_threadpool_new") as Ptr | null) : null;
  const freePtr = cpuReg ? (procAddress(cpuReg, "ggml_threadpool_free") as Ptr | null) : null;
  const pausePtr = cpuReg ? (procAddress(cpuReg, "ggml_threadpool_pause") as Ptr | null) : null;
  const resumePtr = cpuReg ? (procAddress(cpuReg, "ggml_threadpool_resume") as Ptr | null) : null;
  const newProto = koffi.proto("void *cortex_ggml_threadpool_new(cortex_ggml_threadpool_params *params)");
  const freeProto = koffi.proto("void cortex_ggml_threadpool_free(void *tp)");
  api = {
    libraryPath,
    fn,
    threadpoolNew: newPtr ? (koffi.decode(newPtr, newProto) as Fn) : undefined,
    threadpoolFree: freePtr ? (koffi.decode(freePtr, freeProto) as Fn) : undefined,
    threadpoolPause: pausePtr ? (koffi.decode(pausePtr, freeProto) as Fn) : undefined,
    threadpoolResume: resumePtr ? (koffi.decode(resumePtr, freeProto) as Fn) : undefined,
    threadpoolParamsInit: ggmlBase.func("void ggml_threadpool_params_init(_Out_ cortex_ggml_threadpool_params *p, int n_threads)") as Fn,
  };
  return api;
}

function locateFromDir(dir: string): { ggml: string; ggmlBase: string } {
  const found = locateNativeLibraries({ libDir: dir });
  return { ggml: found.ggml, ggmlBase: found.ggmlBase };
}

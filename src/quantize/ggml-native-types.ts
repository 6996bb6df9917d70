/**
 * Types and constants of the native boundary that need no native code, so modules that only validate or
 * describe (the row pool on the main thread, the file quantizer) do not load koffi.
 */
import { GGML_TYPE } from "../formats/gguf/ggml-types.js";

/**
 * ggml types `ggmlQuantizeChunk` accepts: those whose kernels cannot hit a GGML_ASSERT once the arguments
 * pass the checks in ggml-native.ts. The IQ1/IQ2/IQ3 grid quantizers are left out (they need an importance matrix and
 * assert inside their grid searches).
 */
export const CHUNK_TYPES = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"] as const;
export const CHUNK_TYPE_IDS: ReadonlySet<number> = new Set<number>(CHUNK_TYPES.map((t) => GGML_TYPE[t]));

/** `llama_model_quantize_params` fields (include/llama.h of the bundled llama.cpp). Pointers are not exposed. */
export interface LlamaQuantizeParams {
  /** Threads; ≤ 0 means std::thread::hardware_concurrency(). */
  nthread: number;
  /** `llama_ftype` to produce. */
  ftype: number;
  /** ggml type for output.weight; GGML_TYPE_COUNT (43) = the mixture rules decide. */
  outputTensorType: number;
  /** ggml type for token_embd.weight; GGML_TYPE_COUNT (43) = the mixture rules decide. */
  tokenEmbeddingType: number;
  /** Quantize tensors that are already quantized (lossy twice). */
  allowRequantize: boolean;
  /** false = leave output.weight unquantized (`--leave-output-tensor`). */
  quantizeOutputTensor: boolean;
  /** Copy tensors as they are; ftype, allowRequantize and quantizeOutputTensor are ignored. */
  onlyCopy: boolean;
  /** Every tensor to the ftype's default type: no mixture rules (`--pure`). */
  pure: boolean;
  /** Write as many shards as the input has. */
  keepSplit: boolean;
  /** Compute and log the result size without writing. */
  dryRun: boolean;
  /** Largest tensor-row buffer held at once; 0 = the library default (8 GiB). */
  maxBufSize: number;
}

/** ggml log levels (`enum ggml_log_level`). */
export const GGML_LOG_LEVEL = { NONE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, CONT: 5 } as const;
/** Receives llama.cpp/ggml log text while `llamaModelQuantize` runs (on the calling thread). */
export type NativeLogHandler = (level: number, text: string) => void;

/** Which library build this is, for provenance manifests. */
export interface NativeVersionInfo {
  /** llama.cpp release node-llama-cpp built (`llama.cpp.info.json` / build metadata), e.g. "v0.5.0". */
  readonly llamaCppRelease: string | undefined;
  readonly llamaCppRepo: string | undefined;
  /** `llama_version()`, e.g. "0.5.0-dev". */
  readonly llamaVersion: string;
  /** `ggml_version()` and `ggml_commit()`. */
  readonly ggmlVersion: string;
  readonly ggmlCommit: string;
  readonly nodeLlamaCppVersion: string | undefined;
  readonly libDir: string;
}

/**
 * The native boundary: the only module that touches ggml through koffi (platform/die-with-parent.ts uses it for prctl). Loads node-llama-cpp's prebuilt libggml-base,
 * libggml and libllama (the same binaries inference uses) and exposes ggml's quantization kernels and
 * llama.cpp's whole-file quantizer with every argument checked in JS first — ggml answers bad arguments with
 * GGML_ASSERT, which aborts the whole process.
 */
import path from "node:path";
import koffi, { type LibraryHandle, type TypeObject } from "koffi";
import { CortexError } from "../errors/cortex-error.js";
import { ggmlTypeName, isGgmlType } from "../formats/gguf/ggml-types.js";
import { CHUNK_TYPE_IDS, CHUNK_TYPES, GGML_LOG_LEVEL, type LlamaQuantizeParams, type NativeLogHandler, type NativeVersionInfo } from "./ggml-native-types.js";
import { locateNativeLibraries, readBuildInfo, type LocateOptions, type NativeLibraryFiles } from "./native-library-path.js";

export { CHUNK_TYPES, GGML_LOG_LEVEL, type LlamaQuantizeParams, type NativeLogHandler, type NativeVersionInfo } from "./ggml-native-types.js";

// Declared once per module instance (each worker thread has its own): koffi type names must be unique.
let types: { params: TypeObject; logCb: TypeObject } | undefined;
function nativeTypes() {
  types ??= {
    params: koffi.struct("cortex_llama_model_quantize_params", {
      nthread: "int32_t",
      ftype: "int", // enum llama_ftype
      output_tensor_type: "int", // enum ggml_type
      token_embedding_type: "int",
      allow_requantize: "bool",
      quantize_output_tensor: "bool",
      only_copy: "bool",
      pure: "bool",
      keep_split: "bool",
      dry_run: "bool",
      imatrix: "void *", // const struct llama_model_imatrix_data *
      kv_overrides: "void *", // const struct llama_model_kv_override *
      tt_overrides: "void *", // const struct llama_model_tensor_override *
      prune_layers: "void *", // const int32_t *
      max_buf_size: "size_t",
    }),
    logCb: koffi.proto("void cortex_ggml_log_callback(int level, const char *text, void *user_data)"),
  };
  return types;
}

interface RawParams {
  nthread: number;
  ftype: number;
  output_tensor_type: number;
  token_embedding_type: number;
  allow_requantize: boolean;
  quantize_output_tensor: boolean;
  only_copy: boolean;
  pure: boolean;
  keep_split: boolean;
  dry_run: boolean;
  imatrix: unknown;
  kv_overrides: unknown;
  tt_overrides: unknown;
  prune_layers: unknown;
  max_buf_size: number | bigint;
}

type Fn = ReturnType<LibraryHandle["func"]>;

/** The loaded libraries. Obtain with `loadGgmlNative()`; one instance per directory per thread. */
export class GgmlNative {
  readonly files: NativeLibraryFiles;
  private readonly fn: Record<string, Fn>;
  private readonly base: LibraryHandle;
  private backendReady = false;

  private constructor(files: NativeLibraryFiles) {
    this.files = files;
    const t = nativeTypes();
    // Load in dependency order by absolute path, so libllama's RUNPATH ($ORIGIN / @loader_path) resolves to
    // these very copies.
    const base = koffi.load(files.ggmlBase);
    this.base = base;
    koffi.load(files.ggml);
    const llama = koffi.load(files.llama);
    const logPtr = koffi.pointer(t.logCb);
    this.fn = {
      quantizeChunk: base.func("size_t ggml_quantize_chunk(int type, const float *src, void *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)"),
      rowSize: base.func("size_t ggml_row_size(int type, int64_t ne)"),
      blckSize: base.func("int64_t ggml_blck_size(int type)"),
      typeSize: base.func("size_t ggml_type_size(int type)"),
      ggmlVersion: base.func("const char *ggml_version(void)"),
      ggmlCommit: base.func("const char *ggml_commit(void)"),
      logGet: base.func("void ggml_log_get(_Out_ void **cb, _Out_ void **ud)"),
      llamaVersion: llama.func("const char *llama_version(void)"),
      backendInit: llama.func("void llama_backend_init(void)"),
      defaultParams: llama.func("cortex_llama_model_quantize_params llama_model_quantize_default_params(void)"),
      modelQuantize: llama.func("uint32_t llama_model_quantize(const char *fname_inp, const char *fname_out, const cortex_llama_model_quantize_params *params)"),
      logSet: llama.func("llama_log_set", "void", [logPtr, "void *"]),
      logSetRaw: llama.func("llama_log_set", "void", ["void *", "void *"]),
    };
  }

  /** @internal use loadGgmlNative */
  static open(files: NativeLibraryFiles): GgmlNative {
    try {
      return new GgmlNative(files);
    } catch (err) {
      throw new CortexError("QUANT_FAILED", `cannot load llama.cpp libraries from ${files.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** `ggml_blck_size`: elements per block. */
  ggmlBlckSize(type: number): number {
    checkType(type, "ggmlBlckSize");
    return Number(this.fn.blckSize!(type));
  }

  /** `ggml_type_size`: bytes per block. */
  ggmlTypeSize(type: number): number {
    checkType(type, "ggmlTypeSize");
    return Number(this.fn.typeSize!(type));
  }

  /** `ggml_row_size`: bytes of a row of `ne` elements; `ne` must be a multiple of the block size. */
  ggmlRowSize(type: number, ne: number): number {
    checkType(type, "ggmlRowSize");
    checkCount(ne, "ne");
    const blck = this.ggmlBlckSize(type);
    if (ne % blck !== 0) throw invalid(`ggmlRowSize: ne ${ne} is not a multiple of the ${typeLabel(type)} block size ${blck}`);
    return Number(this.fn.rowSize!(type, ne));
  }

  /**
   * `ggml_quantize_chunk`: quantize `nrows` rows of `nPerRow` floats read from `src[start…]` into
   * `dst[(start / nPerRow) · rowSize…]`, exactly as llama-quantize does (no imatrix → the `*_ref`
   * algorithms). Single-threaded; split rows across workers for more (quantize-rows-pool.ts).
   * @returns bytes written (`nrows · ggmlRowSize(type, nPerRow)`)
   * @throws CortexError QUANT_UNSUPPORTED_TYPE for a type outside CHUNK_TYPES; REQ_INVALID_ARGUMENT for
   *   anything ggml would assert on or that would read or write out of bounds.
   */
  ggmlQuantizeChunk(type: number, src: Float32Array, dst: Uint8Array, start: number, nrows: number, nPerRow: number, imatrix?: Float32Array): number {
    if (!CHUNK_TYPE_IDS.has(type)) {
      throw new CortexError("QUANT_UNSUPPORTED_TYPE", `ggmlQuantizeChunk: type ${typeLabel(type)} is not supported (supported: ${CHUNK_TYPES.join(", ")})`);
    }
    if (!(src instanceof Float32Array)) throw invalid("ggmlQuantizeChunk: src must be a Float32Array");
    if (!(dst instanceof Uint8Array)) throw invalid("ggmlQuantizeChunk: dst must be a Uint8Array or Buffer");
    checkCount(start, "start");
    checkCount(nrows, "nrows");
    checkCount(nPerRow, "nPerRow");
    if (nPerRow === 0) throw invalid("ggmlQuantizeChunk: nPerRow must be positive");
    const blck = this.ggmlBlckSize(type);
    const name = typeLabel(type);
    if (nPerRow % blck !== 0) throw invalid(`ggmlQuantizeChunk: nPerRow ${nPerRow} is not a multiple of the ${name} block size ${blck}`);
    if (start % nPerRow !== 0) throw invalid(`ggmlQuantizeChunk: start ${start} is not a multiple of nPerRow ${nPerRow}`);
    const end = start + nrows * nPerRow;
    if (end > src.length) throw invalid(`ggmlQuantizeChunk: src has ${src.length} floats, rows need [${start}, ${end})`);
    const rowSize = this.ggmlRowSize(type, nPerRow);
    const need = (start / nPerRow + nrows) * rowSize;
    if (need > dst.byteLength) throw invalid(`ggmlQuantizeChunk: dst has ${dst.byteLength} bytes, ${name} rows need ${need}`);
    if (imatrix !== undefined) {
      if (!(imatrix instanceof Float32Array)) throw invalid("ggmlQuantizeChunk: imatrix must be a Float32Array");
      if (imatrix.length < nPerRow) throw invalid(`ggmlQuantizeChunk: imatrix has ${imatrix.length} floats, need nPerRow = ${nPerRow}`);
    }
    if (nrows === 0) return 0;
    const written = Number(this.fn.quantizeChunk!(type, src, dst, start, nrows, nPerRow, imatrix ?? null));
    if (written !== nrows * rowSize) throw new CortexError("QUANT_FAILED", `ggml_quantize_chunk(${name}) wrote ${written} bytes, expected ${nrows * rowSize}`);
    return written;
  }

  /**
   * ggml's `dequantize_row_<type>` (ggml-quants.c, exported by libggml-base): `n` values of a quantized row
   * block sequence back to f32. Used to measure how far a re-quantization moved the weights.
   * @throws CortexError QUANT_UNSUPPORTED_TYPE outside CHUNK_TYPES; REQ_INVALID_ARGUMENT for a size mismatch.
   */
  ggmlDequantize(type: number, bytes: Uint8Array, n: number): Float32Array {
    const quantized = CHUNK_TYPES.filter((t) => !t.startsWith("F") && !t.startsWith("BF"));
    if (!CHUNK_TYPE_IDS.has(type) || !quantized.includes(typeLabel(type) as (typeof quantized)[number])) {
      throw new CortexError("QUANT_UNSUPPORTED_TYPE", `ggmlDequantize: type ${typeLabel(type)} is not supported (supported: ${quantized.join(", ")})`);
    }
    checkCount(n, "n");
    const blck = this.ggmlBlckSize(type);
    if (n % blck !== 0) throw invalid(`ggmlDequantize: ${n} values is not a multiple of the ${typeLabel(type)} block size ${blck}`);
    const need = (n / blck) * this.ggmlTypeSize(type);
    if (bytes.byteLength < need) throw invalid(`ggmlDequantize: ${bytes.byteLength} bytes, ${n} ${typeLabel(type)} values need ${need}`);
    const name = typeLabel(type);
    const key = `dequantize_row_${name.toLowerCase().replace(/_k$/, "_K")}`;
    this.fn[key] ??= this.base.func(`void ${key}(const void *x, void *y, int64_t k)`);
    const out = new Float32Array(n);
    if (n > 0) this.fn[key]!(bytes, out, n);
    return out;
  }

  /** `llama_model_quantize_default_params()` (ftype Q8_0, threads = hardware concurrency). */
  llamaModelQuantizeDefaultParams(): LlamaQuantizeParams {
    const raw = this.fn.defaultParams!() as RawParams;
    return {
      nthread: raw.nthread,
      ftype: raw.ftype,
      outputTensorType: raw.output_tensor_type,
      tokenEmbeddingType: raw.token_embedding_type,
      allowRequantize: raw.allow_requantize,
      quantizeOutputTensor: raw.quantize_output_tensor,
      onlyCopy: raw.only_copy,
      pure: raw.pure,
      keepSplit: raw.keep_split,
      dryRun: raw.dry_run,
      maxBufSize: Number(raw.max_buf_size),
    };
  }

  /**
   * `llama_model_quantize`: quantize a whole GGUF like llama-quantize. Synchronous and long (seconds to
   * minutes), and a malformed input can abort the process: run it in a worker or child process
   * (llama-quantize-file.ts). `onLog` receives llama.cpp's log while it runs; the previous log callback is
   * restored afterwards.
   * @throws CortexError QUANT_FAILED with llama.cpp's error line when it returns non-zero
   */
  llamaModelQuantize(inPath: string, outPath: string, params: Partial<LlamaQuantizeParams> = {}, onLog?: NativeLogHandler): void {
    if (typeof inPath !== "string" || inPath === "") throw invalid("llamaModelQuantize: inPath must be a non-empty string");
    if (typeof outPath !== "string" || outPath === "") throw invalid("llamaModelQuantize: outPath must be a non-empty string");
    const p = { ...this.llamaModelQuantizeDefaultParams(), ...params };
    for (const k of ["nthread", "ftype", "outputTensorType", "tokenEmbeddingType", "maxBufSize"] as const) {
      if (!Number.isSafeInteger(p[k])) throw invalid(`llamaModelQuantize: params.${k} must be an integer, got ${String(p[k])}`);
    }
    if (!this.backendReady) {
      this.fn.backendInit!(); // what llama-quantize's main() does first
      this.backendReady = true;
    }
    const raw: RawParams = {
      nthread: p.nthread,
      ftype: p.ftype,
      output_tensor_type: p.outputTensorType,
      token_embedding_type: p.tokenEmbeddingType,
      allow_requantize: p.allowRequantize,
      quantize_output_tensor: p.quantizeOutputTensor,
      only_copy: p.onlyCopy,
      pure: p.pure,
      keep_split: p.keepSplit,
      dry_run: p.dryRun,
      imatrix: null,
      kv_overrides: null,
      tt_overrides: null,
      prune_layers: null,
      max_buf_size: p.maxBufSize,
    };
    const errors: string[] = [];
    const collect: NativeLogHandler = (level, text) => {
      if (level === GGML_LOG_LEVEL.ERROR) errors.push(text.trim());
      onLog?.(level, text);
    };
    const rc = this.withLog(collect, () => this.fn.modelQuantize!(path.resolve(inPath), path.resolve(outPath), raw) as number);
    if (rc !== 0) {
      const why = errors.filter((e) => e !== "").pop() ?? "no error message from llama.cpp";
      throw new CortexError("QUANT_FAILED", `llama_model_quantize ${inPath} → ${outPath} failed: ${why}`, { details: { log: errors } });
    }
  }

  /** Versions of the loaded build. */
  versionInfo(): NativeVersionInfo {
    return {
      ...readBuildInfo(this.files.dir),
      llamaVersion: this.fn.llamaVersion!() as string,
      ggmlVersion: this.fn.ggmlVersion!() as string,
      ggmlCommit: this.fn.ggmlCommit!() as string,
      libDir: this.files.dir,
    };
  }

  /** Route llama.cpp/ggml logging to `handler` while `body` runs on this thread, then restore the previous sink. */
  private withLog<T>(handler: NativeLogHandler, body: () => T): T {
    const t = nativeTypes();
    const prevCb = [null] as unknown[];
    const prevUd = [null] as unknown[];
    this.fn.logGet!(prevCb, prevUd);
    const cb = koffi.register((level: number, text: string | null) => {
      try {
        handler(level, text ?? "");
      } catch {
        // An exception must not unwind into C++.
      }
    }, koffi.pointer(t.logCb));
    try {
      this.fn.logSet!(cb, null);
      return body();
    } finally {
      this.fn.logSetRaw!(prevCb[0] ?? null, prevUd[0] ?? null);
      koffi.unregister(cb);
    }
  }
}

const instances = new Map<string, GgmlNative>();

/** Load (once per directory per thread) the libraries node-llama-cpp ships for this platform, or those in `libDir`. */
export function loadGgmlNative(options: LocateOptions = {}): GgmlNative {
  const files = locateNativeLibraries(options);
  let lib = instances.get(files.dir);
  if (!lib) {
    lib = GgmlNative.open(files);
    instances.set(files.dir, lib);
  }
  return lib;
}

/** `ggml_quantize_chunk` on the default libraries; see GgmlNative.ggmlQuantizeChunk. */
export function ggmlQuantizeChunk(type: number, src: Float32Array, dst: Uint8Array, start: number, nrows: number, nPerRow: number, imatrix?: Float32Array): number {
  return loadGgmlNative().ggmlQuantizeChunk(type, src, dst, start, nrows, nPerRow, imatrix);
}
/** `ggml_row_size` on the default libraries. */
/** `dequantize_row_<type>` on the default libraries; see GgmlNative.ggmlDequantize. */
export function ggmlDequantize(type: number, bytes: Uint8Array, n: number): Float32Array {
  return loadGgmlNative().ggmlDequantize(type, bytes, n);
}

export function ggmlRowSize(type: number, ne: number): number {
  return loadGgmlNative().ggmlRowSize(type, ne);
}
/** `ggml_blck_size` on the default libraries. */
export function ggmlBlckSize(type: number): number {
  return loadGgmlNative().ggmlBlckSize(type);
}
/** `ggml_type_size` on the default libraries. */
export function ggmlTypeSize(type: number): number {
  return loadGgmlNative().ggmlTypeSize(type);
}
/** `llama_model_quantize` on the default libraries; see GgmlNative.llamaModelQuantize. */
export function llamaModelQuantize(inPath: string, outPath: string, params: Partial<LlamaQuantizeParams> = {}, onLog?: NativeLogHandler): void {
  loadGgmlNative().llamaModelQuantize(inPath, outPath, params, onLog);
}
/** Version info of the default libraries. */
export function nativeVersionInfo(): NativeVersionInfo {
  return loadGgmlNative().versionInfo();
}

function typeLabel(type: number): string {
  return ggmlTypeName(type) ?? `id ${type}`;
}

function checkType(type: number, fn: string): void {
  if (!Number.isInteger(type) || !isGgmlType(type)) throw invalid(`${fn}: ${String(type)} is not a ggml type id`);
}

function checkCount(v: number, name: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw invalid(`${name} must be a non-negative integer, got ${String(v)}`);
}

function invalid(message: string): CortexError {
  return new CortexError("REQ_INVALID_ARGUMENT", message);
}

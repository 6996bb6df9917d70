import { existsSync } from "node:fs";
import { join } from "node:path";
import koffi from "koffi";
import { repoRoot } from "./python-reference.js";
import { requireTool } from "../../helpers/require-tool.js";

/**
 * Test-only access to the ggml quantizers and llama_model_quantize in node-llama-cpp's prebuilt libraries
 * (the production binding lives in src/quantize/, another module): enough to feed convertHfToGguf's
 * quantizeTensor and to run llama-quantize on a converted file for comparison.
 */
export interface GgmlKernels {
  quantize(type: number, data: Float32Array, nPerRow: number): Uint8Array;
  modelQuantize(inPath: string, outPath: string, ftype: number): void;
  /** ggml's own `dequantize_row_<type>` (ggml-quants.c) of `n` values. */
  dequantize(typeName: "q4_1" | "q5_1" | "q8_0" | "q2_K" | "q3_K" | "q6_K", bytes: Uint8Array, n: number): Float32Array;
}

export function loadGgmlKernels(): GgmlKernels | { skip: string } {
  const dir = join(repoRoot, "node_modules", "@node-llama-cpp", `${process.platform}-${process.arch}`, "bins", `${process.platform}-${process.arch}`);
  const lib = (n: string): string => join(dir, n);
  if (!existsSync(lib("libggml-base.so")) || !existsSync(lib("libllama.v0.5.0.so"))) return { skip: requireTool("LLAMA_TOOLS", `no node-llama-cpp prebuilt libraries in ${dir}`) || "no node-llama-cpp prebuilt libraries" };
  const base = koffi.load(lib("libggml-base.so"));
  koffi.load(lib("libggml.v0.5.0.so"));
  const llama = koffi.load(lib("libllama.v0.5.0.so"));
  // registers the struct by name for the signatures below
  koffi.struct("convert_test_quantize_params", {
    nthread: "int32_t", ftype: "int", output_tensor_type: "int", token_embedding_type: "int",
    allow_requantize: "bool", quantize_output_tensor: "bool", only_copy: "bool", pure: "bool", keep_split: "bool", dry_run: "bool",
    imatrix: "void *", kv_overrides: "void *", tt_overrides: "void *", prune_layers: "void *", max_buf_size: "size_t",
  });
  const chunk = base.func("size_t ggml_quantize_chunk(int type, const float *src, void *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)");
  const rowSize = base.func("size_t ggml_row_size(int type, int64_t ne)");
  const defaults = llama.func("convert_test_quantize_params llama_model_quantize_default_params(void)");
  const modelQuantize = llama.func("uint32_t llama_model_quantize(const char *fname_inp, const char *fname_out, const convert_test_quantize_params *params)");
  const backendInit = llama.func("void llama_backend_init(void)");
  const logCb = koffi.proto("void convert_test_log_cb(int level, const char *text, void *ud)");
  const logSet = llama.func("llama_log_set", "void", [koffi.pointer(logCb), "void *"]);
  const quiet = koffi.register(() => undefined, koffi.pointer(logCb));
  logSet(quiet, null);
  backendInit();
  const dequant = new Map<string, ReturnType<typeof base.func>>();
  return {
    dequantize(typeName, bytes, n) {
      let f = dequant.get(typeName);
      if (!f) dequant.set(typeName, (f = base.func(`void dequantize_row_${typeName}(const void *x, void *y, int64_t k)`)));
      const out = new Float32Array(n);
      f(bytes, out, n);
      return out;
    },
    quantize(type, data, nPerRow) {
      const nrows = data.length / nPerRow;
      const out = new Uint8Array(Number(rowSize(type, nPerRow)) * nrows);
      chunk(type, data, out, 0, nrows, nPerRow, null);
      return out;
    },
    modelQuantize(inPath, outPath, ftype) {
      const p = { ...(defaults() as Record<string, unknown>), nthread: 1, ftype };
      const rc = modelQuantize(inPath, outPath, p) as number;
      if (rc !== 0) throw new Error(`llama_model_quantize failed: ${rc}`);
    },
  };
}

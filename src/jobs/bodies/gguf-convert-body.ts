import fs from "node:fs";
import { convertHfToGguf } from "../../convert/convert-hf-to-gguf.js";
import { mlxGgufAuto } from "../../convert/convert-mlx-to-gguf.js";
import { CortexError } from "../../errors/cortex-error.js";
import { QuantizeRowsPool } from "../../quantize/quantize-rows-pool.js";
import { GGUF_QUANT_TYPES } from "../../formats/quantization-names.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { ggufFromMlx } from "./gguf-from-mlx.js";
import { writeGgufOutputs } from "./gguf-outputs.js";
import type { Body, ConvertData } from "./job-bodies.js";

/** Needs ggml's kernels (a llama-quantize type); Q8_0 the converter encodes itself. */
const isQuantType = (t: string) => (GGUF_QUANT_TYPES as readonly string[]).includes(t.toUpperCase()) && !["F16", "BF16", "Q8_0"].includes(t.toUpperCase());

/**
 * HF safetensors checkpoint → GGUF. Quantization types go straight from safetensors to the quantized GGUF in one
 * pass (ggml's kernels across worker threads, llama-quantize's mixture rules) into quantized_models/ (Q8_0
 * too); plain precisions (f32/f16/bf16) into models/. Flow children may ask for several types: one pass each.
 * An MLX-quantized source goes through the MLX bridge instead (gguf-from-mlx.ts).
 */
export const ggufConvertBody: Body<ConvertData> = async (data, ctx, cfg) => {
  const src = resolveModelSource(data.source, { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs });
  if (!fs.statSync(src.path).isDirectory()) throw new CortexError("REQ_INVALID_ARGUMENT", `source ${data.source} is a file; GGUF conversion reads a Hugging Face checkpoint folder`);
  const mlx = await mlxGgufAuto(src.path);
  if (mlx) return ggufFromMlx(data, ctx, cfg, src, mlx);
  // `auto` (the default) is the bit-exact mapping for MLX-quantized models and F16 for float checkpoints.
  const outtypes = (data.types?.length ? data.types : [data.outtype ?? "f16"]).map((t) => (t.toLowerCase() === "auto" ? "f16" : t));
  if (data.keepIntermediate && outtypes.some(isQuantType)) outtypes.unshift("f16");
  const pool = outtypes.some(isQuantType) ? QuantizeRowsPool.create({ threads: cfg.threads }) : undefined;
  try {
    return await writeGgufOutputs(data, ctx, cfg, src, {
      outtypes,
      labelOf: (outtype) => outtype.toUpperCase(),
      phase: "converting to",
      extra: {},
      convert: (a) =>
        convertHfToGguf({
          sourceDir: src.path,
          outPath: a.outPath,
          outtype: a.outtype,
          signal: ctx.signal,
          publish: a.publish,
          ...(pool ? { quantizeTensor: (name: string, f32: Float32Array, dims: readonly number[], type: number) => pool.quantizeRows(type, f32, f32.length / dims[0]!, dims[0]!, { name, signal: ctx.signal }) } : {}),
          onProgress: a.onProgress,
        }),
      recipe: (outtype) => ({ onePass: isQuantType(outtype) }),
      result: () => ({}),
    });
  } finally {
    await pool?.close();
  }
};

import { convertMlxToGguf, GGUF_FROM_MLX } from "../../convert/convert-mlx-to-gguf.js";
import { MLX_OUTTYPES } from "../../convert/mlx-gguf-plan.js";
import { CortexError } from "../../errors/cortex-error.js";
import { ggmlDequantize } from "../../quantize/ggml-native.js";
import { QuantizeRowsPool } from "../../quantize/quantize-rows-pool.js";
import type { ModelSource } from "../../store/resolve-source.js";
import type { JobContext } from "../processor-shim.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import { writeGgufOutputs } from "./gguf-outputs.js";
import type { ConvertData } from "./job-bodies.js";

/**
 * An MLX-quantized model → GGUF (convert/convert-mlx-to-gguf.ts): `auto` (the default) is the bit-exact mapping,
 * written to quantized_models/<stem>-<Q4_1|Q5_1|…>.gguf; f32/f16/bf16 go to models/. ggml's kernels (worker
 * threads) are started only when a tensor must be re-quantized. The manifest records the MLX source, the mapping
 * per tensor kind and "bit-exact: N of M quantized tensors".
 */
export async function ggufFromMlx(data: ConvertData, ctx: JobContext, cfg: WorkerRuntimeConfig, src: ModelSource, auto: { bits: number; groupSize: number; label: string }): Promise<object> {
  const outtypes = (data.types?.length ? data.types : [data.outtype || "auto"]).map((t) => t.toLowerCase());
  const bad = outtypes.find((t) => !(MLX_OUTTYPES as readonly string[]).includes(t));
  if (bad) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${data.source} is an MLX ${auto.bits}-bit model; GGUF outtype "${bad}" is not supported for it (use ${MLX_OUTTYPES.join(", ")}; auto is the bit-exact ${auto.label})`);
  let pool: QuantizeRowsPool | undefined;
  try {
    return await writeGgufOutputs(data, ctx, cfg, src, {
      outtypes,
      labelOf: (outtype) => (outtype === "auto" ? auto.label : outtype.toUpperCase()),
      phase: "converting MLX to",
      extra: { variant: GGUF_FROM_MLX },
      convert: (a) =>
        convertMlxToGguf({
          sourceDir: src.path,
          outPath: a.outPath,
          outtype: a.outtype,
          signal: ctx.signal,
          publish: a.publish,
          quantizeTensor: (name, f32, dims, type) => (pool ??= QuantizeRowsPool.create({ threads: cfg.threads })).quantizeRows(type, f32, f32.length / dims[0]!, dims[0]!, { name, signal: ctx.signal }),
          dequantizeTensor: ggmlDequantize,
          onProgress: a.onProgress,
        }),
      recipe: (_outtype, _label, r) => ({ from: "mlx", mlx: { bits: auto.bits, group_size: auto.groupSize }, mapping: r.mlx.mapping, bit_exact: bitExactOf(r), fallbacks: r.mlx.fallbacks }),
      result: (r) => ({ bit_exact: bitExactOf(r), mapping: r.mlx.mapping, fallbacks: r.mlx.fallbacks, differences: r.mlx.differences }),
    });
  } finally {
    await pool?.close();
  }
}

const bitExactOf = (r: { mlx: { bitExact: { exact: number; quantized: number } } }) => `${r.mlx.bitExact.exact} of ${r.mlx.bitExact.quantized} quantized tensors`;

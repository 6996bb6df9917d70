import fs from "node:fs";
import path from "node:path";
import { convertMlxToGguf, GGUF_FROM_MLX } from "../../convert/convert-mlx-to-gguf.js";
import { MLX_OUTTYPES } from "../../convert/mlx-gguf-plan.js";
import { CortexError } from "../../errors/cortex-error.js";
import { sha256File } from "../../hub/sha256-file.js";
import { ggmlDequantize } from "../../quantize/ggml-native.js";
import { QuantizeRowsPool } from "../../quantize/quantize-rows-pool.js";
import type { ModelSource } from "../../store/resolve-source.js";
import type { JobContext } from "../processor-shim.js";
import { checkpointStem, ggufOutputFile } from "../output-names.js";
import { chooseOutput, defaultStems, finishedResult, publishFile, sourceIdOf } from "../output-target.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import { recordProduced } from "../worker-store.js";
import type { ConvertData } from "./job-bodies.js";

/**
 * An MLX-quantized model → GGUF (convert/convert-mlx-to-gguf.ts): `auto` (the default) is the bit-exact mapping,
 * written to quantized_models/<stem>-<Q4_1|Q5_1|…>.gguf; f32/f16/bf16 go to models/. ggml's kernels (worker
 * threads) are started only when a tensor must be re-quantized. The manifest records the MLX source, the mapping
 * per tensor kind and "bit-exact: N of M quantized tensors".
 */
export async function ggufFromMlx(data: ConvertData, ctx: JobContext, cfg: WorkerRuntimeConfig, src: ModelSource, auto: { bits: number; groupSize: number; label: string }): Promise<object> {
  const sourceId = sourceIdOf(cfg, src.path);
  const stems = data.outputName ? [data.outputName] : defaultStems(checkpointStem(src), { repo: src.repo, id: sourceId });
  const outtypes = (data.types?.length ? data.types : [data.outtype || "auto"]).map((t) => t.toLowerCase());
  const bad = outtypes.find((t) => !(MLX_OUTTYPES as readonly string[]).includes(t));
  if (bad) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${data.source} is an MLX ${auto.bits}-bit model; GGUF outtype "${bad}" is not supported for it (use ${MLX_OUTTYPES.join(", ")}; auto is the bit-exact ${auto.label})`);
  let pool: QuantizeRowsPool | undefined;
  const outputs: object[] = [];
  try {
    for (const [i, outtype] of outtypes.entries()) {
      const label = outtype === "auto" ? auto.label : outtype.toUpperCase();
      const dir = ["F32", "F16", "BF16"].includes(label) ? cfg.paths.models : cfg.paths.quantizedModels;
      fs.mkdirSync(dir, { recursive: true });
      const target = chooseOutput(cfg, { candidates: stems.map((s) => path.join(dir, ggufOutputFile(s, label))), overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: src.path });
      if (target.finished) {
        outputs.push(finishedResult(target.path, target.finished, { outtype: label, variant: GGUF_FROM_MLX }));
        continue;
      }
      const r = await convertMlxToGguf({
        sourceDir: src.path,
        outPath: target.path,
        outtype,
        signal: ctx.signal,
        publish: (staging, dst) => publishFile(staging, dst, target.overwrite),
        quantizeTensor: (name, f32, dims, type) => (pool ??= QuantizeRowsPool.create({ threads: cfg.threads })).quantizeRows(type, f32, f32.length / dims[0]!, dims[0]!, { name, signal: ctx.signal }),
        dequantizeTensor: ggmlDequantize,
        onProgress: (p) => ctx.progress({ phase: `converting MLX to ${label}${outtypes.length > 1 ? ` (${i + 1}/${outtypes.length})` : ""}`, done: p.done, total: p.total, unit: "tensors", current_item: p.tensor }),
      });
      ctx.progress({ phase: "hashing", done: i + 1, total: outtypes.length, unit: "items" });
      const sha256 = await sha256File(r.outPath);
      const { exact, quantized } = r.mlx.bitExact;
      const bitExact = `${exact} of ${quantized} quantized tensors`;
      const modelId = await recordProduced(cfg, {
        path: r.outPath,
        kind: "convert",
        source: data.source,
        sourcePath: src.path,
        ...(src.repo ? { sourceRepo: src.repo } : {}),
        ...(src.commit ? { revision: src.commit } : {}),
        recipe: { target: "gguf", outtype: label, sourceId, from: "mlx", mlx: { bits: auto.bits, group_size: auto.groupSize }, mapping: r.mlx.mapping, bit_exact: bitExact, fallbacks: r.mlx.fallbacks },
        jobId: ctx.jobId,
        sha256: { [path.basename(r.outPath)]: sha256 },
      }).catch(() => "");
      outputs.push({
        model_id: modelId, path: r.outPath, outtype: label, variant: GGUF_FROM_MLX, architecture: r.architecture, bytes: r.fileBytes, parameters: r.parameterCount, sha256,
        bit_exact: bitExact, mapping: r.mlx.mapping, fallbacks: r.mlx.fallbacks, differences: r.mlx.differences,
      });
    }
  } finally {
    await pool?.close();
  }
  return outputs.length === 1 ? outputs[0]! : { outputs };
}

import fs from "node:fs";
import path from "node:path";
import { sha256File } from "../../hub/sha256-file.js";
import { convertHfToGguf } from "../../convert/convert-hf-to-gguf.js";
import { mlxGgufAuto } from "../../convert/convert-mlx-to-gguf.js";
import { CortexError } from "../../errors/cortex-error.js";
import { QuantizeRowsPool } from "../../quantize/quantize-rows-pool.js";
import { GGUF_QUANT_TYPES } from "../../formats/quantization-names.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { recordProduced } from "../worker-store.js";
import { checkpointStem, ggufOutputFile } from "../output-names.js";
import { chooseOutput, defaultStems, finishedResult, publishFile, sourceIdOf } from "../output-target.js";
import { ggufFromMlx } from "./gguf-from-mlx.js";
import type { Body, ConvertData } from "./job-bodies.js";

/** Needs ggml's kernels (a llama-quantize type); Q8_0 the converter encodes itself. */
const isQuantType = (t: string) => (GGUF_QUANT_TYPES as readonly string[]).includes(t.toUpperCase()) && !["F16", "BF16", "Q8_0"].includes(t.toUpperCase());
const isQuantized = (label: string) => !["F32", "F16", "BF16"].includes(label);

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
  const sourceId = sourceIdOf(cfg, src.path);
  const stems = data.outputName ? [data.outputName] : defaultStems(checkpointStem(src), { repo: src.repo, id: sourceId });
  // `auto` (the default) is the bit-exact mapping for MLX-quantized models and F16 for float checkpoints.
  const outtypes = (data.types?.length ? data.types : [data.outtype ?? "f16"]).map((t) => (t.toLowerCase() === "auto" ? "f16" : t));
  if (data.keepIntermediate && outtypes.some(isQuantType)) outtypes.unshift("f16");
  const pool = outtypes.some(isQuantType) ? QuantizeRowsPool.create({ threads: cfg.threads }) : undefined;
  const outputs: object[] = [];
  try {
    for (const [i, outtype] of outtypes.entries()) {
      const label = outtype.toUpperCase();
      // Plain precisions are conversions (models/); every quantized type, Q8_0 included, is a variant
      // (quantized_models/, where the pool's fallback finds it).
      const dir = isQuantized(label) ? cfg.paths.quantizedModels : cfg.paths.models;
      fs.mkdirSync(dir, { recursive: true });
      const target = chooseOutput(cfg, { candidates: stems.map((s) => path.join(dir, ggufOutputFile(s, label))), overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: src.path });
      if (target.finished) {
        outputs.push(finishedResult(target.path, target.finished, { outtype: label }));
        continue;
      }
      const r = await convertHfToGguf({
        sourceDir: src.path,
        outPath: target.path,
        outtype,
        signal: ctx.signal,
        publish: (staging, dst) => publishFile(staging, dst, target.overwrite),
        ...(pool ? { quantizeTensor: (name: string, f32: Float32Array, dims: readonly number[], type: number) => pool.quantizeRows(type, f32, f32.length / dims[0]!, dims[0]!, { name, signal: ctx.signal }) } : {}),
        onProgress: (p) =>
          ctx.progress({ phase: `converting to ${label}${outtypes.length > 1 ? ` (${i + 1}/${outtypes.length})` : ""}`, done: p.done, total: p.total, unit: "tensors", current_item: p.tensor }),
      });
      ctx.progress({ phase: "hashing", done: i + 1, total: outtypes.length, unit: "items" });
      const sha256 = await sha256File(r.outPath);
      const modelId = await recordProduced(cfg, {
        path: r.outPath,
        kind: "convert",
        source: data.source,
        sourcePath: src.path,
        ...(src.repo ? { sourceRepo: src.repo } : {}),
        ...(src.commit ? { revision: src.commit } : {}),
        recipe: { target: "gguf", outtype: label, onePass: isQuantType(outtype), sourceId },
        jobId: ctx.jobId,
        sha256: { [path.basename(r.outPath)]: sha256 },
      }).catch(() => "");
      outputs.push({ model_id: modelId, path: r.outPath, outtype: label, architecture: r.architecture, bytes: r.fileBytes, parameters: r.parameterCount, sha256 });
    }
  } finally {
    await pool?.close();
  }
  return outputs.length === 1 ? outputs[0]! : { outputs };
};

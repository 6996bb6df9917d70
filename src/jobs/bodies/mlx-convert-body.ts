import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { convertToMlx, mlxOutputName } from "../../mlx/convert-to-mlx.js";
import type { ModelDtype } from "../../mlx/float-convert.js";
import { QuantizePool } from "../../mlx/quantize-pool.js";
import { resolveModelSource, type ModelSource } from "../../store/resolve-source.js";
import { recordMlxOutput } from "./record-mlx-output.js";
import type { Body, ConvertData, QuantizeData } from "./job-bodies.js";
import { parseSnapshotPath } from "../../hub/hf-cache-layout.js";

/** A model's short name from where it came: "org/name" → "name", an HF snapshot path → its repo's name. */
export function sourceStem(src: Pick<ModelSource, "ref" | "path" | "repo" | "kind">): string {
  if (src.repo) return src.repo.split("/").pop()!;
  const snap = parseSnapshotPath(src.path);
  if (snap) return snap.repo.split("/").pop()!;
  return path.basename(src.kind === "cortex" ? src.ref : src.path).replace(/\.(gguf|safetensors)$/i, "");
}

/** HF checkpoint → MLX (float or affine-quantized), and MLX float → MLX quantized (QuantizeModel type "mlx"). */
export const mlxConvertBody: Body<ConvertData | QuantizeData> = async (data, ctx, cfg) => {
  const src = resolveModelSource(data.model, { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs });
  if (/\.gguf$/i.test(src.path)) throw new CortexError("FMT_UNSUPPORTED", `${data.model} is a GGUF file; MLX conversion reads Hugging Face or MLX safetensors folders`);
  const o = data.mlx ?? { dtype: "", quantize: false, bits: 4, groupSize: 64, recipe: "", gpuOptimizationLevel: "" };
  const threads = ("threads" in data && data.threads) || cfg.threads || undefined;
  const pool = QuantizePool.shared(threads ? { threads } : {}); // kept between jobs: no close
  const started = Date.now();
  ctx.progress({ phase: "reading headers", message: src.path });
  const r = await convertToMlx(src.path, (recipe) => path.join(cfg.paths.mlxModels, data.outputName || mlxOutputName(sourceStem(src), recipe)), {
    dtype: o.dtype as ModelDtype | "",
    quantize: o.quantize,
    bits: o.bits,
    groupSize: o.groupSize,
    recipe: o.recipe,
    gpuOptimizationLevel: o.gpuOptimizationLevel,
    memoryBudgetBytes: cfg.memoryBudgetBytes ?? 0,
    pool,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ phase: o.quantize ? "quantizing" : "converting", done: p.doneBytes, total: p.totalBytes, unit: "bytes", current_item: p.tensor }),
  });
  if (r.status === "already-mlx") {
    ctx.log(`${data.model} is already MLX (${r.evidence.join("; ")}); nothing converted`);
    return { already_mlx: true, path: r.path, evidence: r.evidence };
  }
  ctx.progress({ phase: "writing manifest", done: 1, total: 1, unit: "items" });
  const recipe = {
    target: "mlx",
    dtype: r.dtype ?? "",
    quantize: o.quantize,
    ...(r.bits ? { bits: r.bits, group_size: r.groupSize, mode: "affine", recipe: r.recipe } : {}),
    ...(r.sizeRecipe ? { size_recipe: r.sizeRecipe.reason } : {}),
  };
  const modelId = await recordMlxOutput(cfg, ctx, r, ctx.jobName === "quantize" ? "quantize" : "convert", src, recipe);
  return { model_id: modelId, path: r.path, ...recipe, files: r.files.length, bytes: r.bytes, tensors: r.tensors, parameters: r.parameters, sha256: r.sha256, elapsed_ms: Date.now() - started };
};

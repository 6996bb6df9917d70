import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { convertToMlx, mlxOutputName } from "../../mlx/convert-to-mlx.js";
import type { ModelDtype } from "../../mlx/float-convert.js";
import { QuantizePool } from "../../mlx/quantize-pool.js";
import { resolveModelSource, type ModelSource } from "../../store/resolve-source.js";
import { recordMlxOutput } from "./record-mlx-output.js";
import { chooseOutput, defaultStems, finishedByJob, finishedResult, sourceIdOf, type OutputTarget } from "../output-target.js";
import { isCortexError } from "../../errors/cortex-error.js";
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
  const sourceId = sourceIdOf(cfg, src.path);
  const stems = data.outputName ? [] : defaultStems(sourceStem(src), { repo: src.repo ?? parseSnapshotPath(src.path)?.repo, id: sourceId });
  let target: OutputTarget | undefined;
  const outDir = (recipe: Parameters<typeof mlxOutputName>[1]) => {
    const candidates = data.outputName ? [path.join(cfg.paths.mlxModels, data.outputName)] : stems.map((s) => path.join(cfg.paths.mlxModels, mlxOutputName(s, recipe)));
    target = chooseOutput(cfg, { candidates, overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: src.path, rerun: ctx.rerun });
    return target.path; // a finished target exists: publishFolder refuses it at once (REG_EXISTS), handled below
  };
  const r = await convertToMlx(src.path, outDir, {
    overwrite: Boolean(data.overwrite),
    adopt: () => target?.unclaimed ?? [],
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
  }).catch(async (err: unknown) => {
    // This job's own output, from an earlier attempt or a concurrent run that lost its Redis lock: finish with it.
    // (Not when the name was one this rerun tried to adopt: it holds other files, and no run of this job writes there.)
    const own = isCortexError(err) && err.code === "REG_EXISTS" && target ? (target.finished ?? (target.unclaimed?.includes(target.path) ? undefined : await finishedByJob(cfg, target.path, ctx.jobId, 30_000))) : undefined;
    if (own && target) return { status: "finished-earlier" as const, path: target.path, manifest: own };
    throw err;
  });
  if (r.status === "finished-earlier") return finishedResult(r.path, r.manifest, { target: "mlx" });
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
  const modelId = await recordMlxOutput(cfg, ctx, r, ctx.jobName === "quantize" ? "quantize" : "convert", src, { ...recipe, sourceId });
  return { model_id: modelId, path: r.path, ...recipe, files: r.files.length, bytes: r.bytes, tensors: r.tensors, parameters: r.parameters, sha256: r.sha256, elapsed_ms: Date.now() - started };
};

import fs from "node:fs";
import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { fuseLora } from "../../mlx/fuse-lora.js";
import { QuantizePool } from "../../mlx/quantize-pool.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { recordMlxOutput } from "./record-mlx-output.js";
import type { Body, FuseData } from "./job-bodies.js";
import { sourceStem } from "./mlx-convert-body.js";
import { chooseOutput, defaultStems, finishedByJob, finishedResult, sourceIdOf } from "../output-target.js";
import { isCortexError } from "../../errors/cortex-error.js";

/** LoRA adapter (mlx-lm or PEFT) fused into its HF or MLX base; the result is an MLX folder in mlx_models/. */
export const fuseBody: Body<FuseData> = async (data, ctx, cfg) => {
  const opts = { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs };
  const base = resolveModelSource(data.base, opts);
  const adapter = resolveModelSource(data.adapter, opts);
  if (/\.gguf$/i.test(base.path) || !fs.statSync(base.path).isDirectory()) {
    throw new CortexError("REQ_UNIMPLEMENTED", `fusing into a GGUF base (${data.base}) is not supported; fuse into its Hugging Face or MLX base, then convert`);
  }
  if (/\.gguf$/i.test(adapter.path)) throw new CortexError("REQ_UNIMPLEMENTED", `GGUF LoRA adapters (${data.adapter}) cannot be fused; use the adapter's safetensors (mlx-lm or PEFT)`);
  const sourceId = sourceIdOf(cfg, base.path);
  const candidates = data.outputName
    ? [path.join(cfg.paths.mlxModels, data.outputName)]
    : defaultStems(`${sourceStem(base)}-fused-${sourceStem(adapter)}`, { repo: base.repo, id: sourceId }).map((s) => path.join(cfg.paths.mlxModels, s));
  const target = chooseOutput(cfg, { candidates, overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: base.path, rerun: ctx.rerun });
  if (target.finished) return finishedResult(target.path, target.finished, { adapter: data.adapter });
  const out = target.path;
  const pool = QuantizePool.shared(cfg.threads ? { threads: cfg.threads } : {});
  const started = Date.now();
  ctx.progress({ phase: "reading adapter", message: adapter.path });
  let r;
  try {
    r = await fuseLora(base.path, adapter.path, out, {
      pool,
      overwrite: target.overwrite,
      adopt: target.unclaimed ?? [],
      signal: ctx.signal,
      baseRef: data.base,
      adapterRef: data.adapter,
      onProgress: (p) => ctx.progress({ phase: "fusing", done: p.doneBytes, total: p.totalBytes, unit: "bytes", current_item: p.tensor }),
    });
  } catch (err) {
    // A concurrent run of this job (a lost Redis lock) published first: its output is this job's.
    // (Not when the name was one this rerun tried to adopt: it holds other files, and no run of this job writes there.)
    const own = isCortexError(err) && err.code === "REG_EXISTS" && !target.unclaimed?.includes(out) ? await finishedByJob(cfg, out, ctx.jobId, 30_000) : undefined;
    if (own) return finishedResult(out, own, { adapter: data.adapter });
    throw err;
  }
  ctx.progress({ phase: "writing manifest", done: 1, total: 1, unit: "items" });
  const recipe = { adapter: data.adapter, adapter_kind: r.adapter.kind, rank: r.adapter.rank, scale: r.adapter.scale, target_modules: r.adapter.targetModules, fused_modules: r.fusedModules };
  const modelId = await recordMlxOutput(cfg, ctx, r, "fuse", base, { ...recipe, sourceId });
  return { model_id: modelId, path: r.path, ...recipe, files: r.files.length, bytes: r.bytes, sha256: r.sha256, elapsed_ms: Date.now() - started };
};

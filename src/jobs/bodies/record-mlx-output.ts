import type { JobContext } from "../processor-shim.js";
import type { ModelSource } from "../../store/resolve-source.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import { recordProduced } from "../worker-store.js";

/**
 * The manifest of an MLX folder a job wrote (convert, quantize, fuse): source and its Hub revision, recipe,
 * sha256s. A manifest that cannot be written is logged, not fatal: the model is on disk and listed anyway.
 */
export async function recordMlxOutput(cfg: WorkerRuntimeConfig, ctx: JobContext, out: { path: string; sha256: Record<string, string> }, kind: string, src: ModelSource, recipe: Record<string, unknown>): Promise<string> {
  return recordProduced(cfg, {
    path: out.path,
    kind,
    source: src.repo ? `${src.repo}@${src.commit}` : src.ref,
    sourcePath: src.path,
    ...(src.repo ? { sourceRepo: src.repo, revision: src.commit ?? "" } : {}),
    recipe,
    jobId: ctx.jobId,
    sha256: out.sha256,
  }).catch((err: unknown) => {
    ctx.log(`no manifest for ${out.path}: ${err instanceof Error ? err.message : String(err)}`);
    return "";
  });
}

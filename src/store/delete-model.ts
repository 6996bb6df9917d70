import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { executeHfCacheDelete, planHfCacheDelete, planHfFilesDelete } from "./hf-cache/delete-hf-cache.js";
import { scanHfCache } from "./hf-cache/scan-hf-cache.js";
import { deletableRoots, identifyPath } from "./model-identity.js";
import type { ModelRecord, StoreRoots } from "./model-types.js";
import { pruneEmptyDirs, safeRemove } from "./safe-remove.js";

export interface DeleteOutcome {
  bytesFreed: number;
  deletedPaths: string[];
  /** Paths kept on purpose (shared blobs, running downloads). */
  keptPaths: string[];
}

/**
 * Delete a model's files. In cortexd's and extra folders: the GGUF parts or the model folder (links removed as
 * links), then folders left empty up to the root. In the HF cache (only with `includeHfCache`): the revision by
 * Python's rules when the model is all it holds, else just the model's snapshot files; blobs another revision or
 * model uses are kept. Nothing outside the known roots is touched.
 * @throws CortexError REG_SHARED_CACHE for an HF-cache model without includeHfCache; REG_OUTSIDE_ROOTS.
 */
export async function deleteModelFiles(model: ModelRecord, ctx: { roots: StoreRoots; others: readonly ModelRecord[]; includeHfCache: boolean }): Promise<DeleteOutcome> {
  if (model.root === "hf-cache") return deleteFromHfCache(model, ctx);
  const roots = deletableRoots(ctx.roots);
  const rootDir = identifyPath(ctx.roots, model.paths[0]!).rootDir;
  let freed = 0;
  const deleted: string[] = [];
  for (const p of model.paths) {
    freed += await safeRemove(p, roots);
    deleted.push(p);
  }
  await pruneEmptyDirs(path.dirname(model.paths[0]!), rootDir);
  return { bytesFreed: freed, deletedPaths: deleted, keptPaths: [] };
}

async function deleteFromHfCache(model: ModelRecord, ctx: { roots: StoreRoots; others: readonly ModelRecord[]; includeHfCache: boolean }): Promise<DeleteOutcome> {
  const hf = model.hf!;
  if (!ctx.includeHfCache) {
    throw new CortexError("REG_SHARED_CACHE", `${model.name}@${hf.commit.slice(0, 8)} (${model.id}) lives in the shared Hugging Face cache; delete it with include_hf_cache (cortex rm --hf-cache) or cortex hf-cache delete ${hf.repo}@${hf.commit}`);
  }
  // Scanned now, not from the listing: an earlier delete may have changed which revisions share which blobs.
  const info = await scanHfCache(ctx.roots.hfHubCache);
  const repo = info?.repos.find((r) => r.repoPath === hf.repoPath);
  const revision = repo?.revisions.find((v) => v.commitHash === hf.commit);
  if (!revision) throw new CortexError("REG_NOT_FOUND", `${model.name}@${hf.commit} is no longer in the HF cache`);
  const sharing = ctx.others.some((o) => o.id !== model.id && o.hf?.repoPath === hf.repoPath && o.hf.commit === hf.commit);
  const plan = sharing ? planHfFilesDelete(info, revision, new Set(model.files.map((f) => f.path))) : planHfCacheDelete(info, new Set([revision]));
  const res = await executeHfCacheDelete(plan);
  return { bytesFreed: res.freedBytes, deletedPaths: [...res.deletedPaths], keptPaths: [...res.keptBlobs] };
}

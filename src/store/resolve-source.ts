import fs from "node:fs";
import path from "node:path";
import { snapshotDownloading } from "./hf-cache/blob-activity.js";
import { CortexError } from "../errors/cortex-error.js";
import type { HomePaths } from "../config/paths.js";
import { cachedSnapshot } from "../hub/hf-cache-layout.js";
import { parseRepoRef, type RepoRef } from "../hub/parse-repo-ref.js";
import { insideRoots } from "./inside-roots.js";

export interface ModelSource {
  /** What the user named. */
  ref: string;
  /** File (GGUF) or folder (HF checkpoint, MLX). */
  path: string;
  kind: "hf-cache" | "path" | "cortex";
  repo?: string;
  commit?: string;
}

/**
 * A conversion/quantization source: a path inside the known roots, "org/name[@rev]" in the HF cache, or a model
 * name under CORTEX_HOME (models/, mlx_models/, quantized_models/). Paths outside the roots are refused.
 */
export function resolveModelSource(ref: string, opts: { paths: HomePaths; hubCache: string; modelDirs: readonly string[] }): ModelSource {
  const roots = [opts.paths.home, opts.hubCache, ...opts.modelDirs].map((r) => path.resolve(r));
  if (path.isAbsolute(ref)) {
    const real = realpathOrUndefined(ref);
    if (!real) throw new CortexError("REG_NOT_FOUND", `model path ${ref} does not exist`);
    if (!insideRoots(real, roots)) {
      throw new CortexError("REG_OUTSIDE_ROOTS", `model path ${ref} is outside cortexd's roots (${roots.join(", ")})`);
    }
    refuseDownloading(ref, real);
    return { ref, path: real, kind: "path" };
  }
  // org/name[@rev]: the one repo-id rule (huggingface_hub's, hub/parse-repo-ref.ts).
  const hf = ref.includes("/") ? repoRefOrUndefined(ref) : undefined;
  if (hf) {
    const snap = cachedSnapshot(opts.hubCache, hf.repo, hf.revision);
    if (!snap) throw new CortexError("REG_NOT_FOUND", `${ref} is not in the Hugging Face cache ${opts.hubCache}; pull it first (cortex pull ${ref})`);
    refuseDownloading(ref, snap.path);
    return { ref, path: snap.path, kind: "hf-cache", repo: hf.repo, commit: snap.commit };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref) || ref.includes("..")) throw new CortexError("REQ_INVALID_ARGUMENT", `model "${ref}" is not a model name, org/name or absolute path`);
  for (const dir of [opts.paths.models, opts.paths.quantizedModels, opts.paths.mlxModels, ...opts.modelDirs]) {
    for (const candidate of [path.join(dir, ref), path.join(dir, `${ref}.gguf`)]) {
      if (!fs.existsSync(candidate)) continue;
      // A link in a model folder must not lead a job to read a file outside the roots.
      const real = realpathOrUndefined(candidate)!;
      if (!insideRoots(real, roots)) {
        throw new CortexError("REG_OUTSIDE_ROOTS", `model "${ref}" links to ${real}, outside cortexd's roots (${roots.join(", ")})`);
      }
      return { ref, path: candidate, kind: "cortex" };
    }
  }
  throw new CortexError("REG_NOT_FOUND", `model "${ref}" not found in ${[opts.paths.models, opts.paths.quantizedModels, opts.paths.mlxModels].join(", ")}`);
}

/**
 * A snapshot a running pull is still writing is no job source: its shards are missing or partial (#20 item 16).
 * @throws CortexError REG_IN_USE (FAILED_PRECONDITION) naming the model.
 */
function refuseDownloading(ref: string, p: string): void {
  const m = /^(.*[\\/]snapshots[\\/][^\\/]+)/.exec(p);
  if (m && snapshotDownloading(m[1]!)) throw new CortexError("REG_IN_USE", `${ref} is still downloading (a pull is writing it); wait until the pull ends (cortex jobs), then try again`);
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function repoRefOrUndefined(ref: string): RepoRef | undefined {
  try {
    return parseRepoRef(ref);
  } catch {
    return undefined;
  }
}

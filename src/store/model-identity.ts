import crypto from "node:crypto";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { parseRepoFolderName } from "./hf-cache/scan-hf-cache.js";
import { isBelow, isInside } from "./safe-remove.js";
import type { RootKind, StoreRoots } from "./model-types.js";

/** Split GGUF part: `<stem>-00001-of-00003.gguf`. */
export const SPLIT_GGUF = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/** Model ids are 12 hex digits of sha256(identity): stable while the model stays where it is, safe as a file name. */
export function modelIdOf(identity: string): string {
  return crypto.createHash("sha256").update(identity).digest("hex").slice(0, 12);
}

/** Display name of a GGUF from its path inside its root: extension and split suffix dropped. */
export function ggufDisplayName(rel: string): string {
  const m = SPLIT_GGUF.exec(rel);
  return (m ? m[1]! : rel).replace(/\.gguf$/i, "");
}

export interface PathIdentity {
  identity: string;
  id: string;
  root: RootKind;
  /** The root folder the path lies in. */
  rootDir: string;
}

/**
 * Identity of a model path — what its id is derived from:
 * - under CORTEX_HOME: `cortex:<path relative to home>` (survives moving the home);
 * - in the HF cache: `hf:<type>/<org>/<name>@<commit>` (+ `/<file>` for a GGUF inside the snapshot);
 * - in an extra model folder: `path:<absolute path>`.
 * Writers call this with the folder or GGUF file they produced (first part for split GGUFs).
 * @throws CortexError REG_OUTSIDE_ROOTS when the path is in no known root.
 */
export function identifyPath(roots: StoreRoots, modelPath: string): PathIdentity {
  const abs = path.resolve(modelPath);
  const make = (identity: string, root: RootKind, rootDir: string): PathIdentity => ({ identity, id: modelIdOf(identity), root, rootDir });
  const cache = path.resolve(roots.hfHubCache);
  if (roots.hfHubCache && isBelow(cache, abs)) {
    const parts = path.relative(cache, abs).split(path.sep);
    const repo = parseRepoFolderName(parts[0] ?? "");
    if (repo && parts[1] === "snapshots" && parts[2]) {
      const file = parts.slice(3).join("/");
      return make(`hf:${repo.repoType}/${repo.repoId}@${parts[2]}${file ? `/${file}` : ""}`, "hf-cache", cache);
    }
    throw new CortexError("REG_OUTSIDE_ROOTS", `${abs} is in the HF cache but not inside a snapshot (models--org--name/snapshots/<commit>/…)`);
  }
  for (const dir of roots.cortexDirs) {
    if (isBelow(path.resolve(dir), abs)) return make(`cortex:${path.relative(path.resolve(roots.home), abs).split(path.sep).join("/")}`, "cortex", path.resolve(dir));
  }
  for (const dir of roots.modelDirs) {
    if (isBelow(path.resolve(dir), abs)) return make(`path:${abs}`, "extra", path.resolve(dir));
  }
  throw new CortexError("REG_OUTSIDE_ROOTS", `${abs} is outside cortexd's model folders (${[...roots.cortexDirs, roots.hfHubCache, ...roots.modelDirs].filter(Boolean).join(", ")})`);
}

/** Every folder a deletion may happen in. */
export function deletableRoots(roots: StoreRoots): string[] {
  return [...roots.cortexDirs, roots.hfHubCache, ...roots.modelDirs].filter((r) => r !== "").map((r) => path.resolve(r));
}

/** Whether `p` lies in any known root (the roots themselves included). */
export function inKnownRoots(roots: StoreRoots, p: string): boolean {
  return deletableRoots(roots).some((r) => isInside(r, p));
}

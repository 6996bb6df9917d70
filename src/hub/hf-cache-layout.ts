import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/** The HF cache layout (hub-protocol §3.1), shared with transformers, mlx-lm and huggingface_hub. */
export function repoDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, `models--${repo.replace(/\//g, "--")}`);
}

export function blobPath(cacheDir: string, repo: string, etag: string): string {
  return path.join(repoDir(cacheDir, repo), "blobs", etag);
}

export function snapshotDir(cacheDir: string, repo: string, commit: string): string {
  return path.join(repoDir(cacheDir, repo), "snapshots", commit);
}

export function refPath(cacheDir: string, repo: string, ref: string): string {
  return path.join(repoDir(cacheDir, repo), "refs", ...ref.split("/"));
}

export function lockPath(cacheDir: string, repo: string, etag: string): string {
  return path.join(cacheDir, ".locks", `models--${repo.replace(/\//g, "--")}`, `${etag}.lock`);
}

/** A repo path from a Hub listing must stay inside the snapshot: no "..", no absolute or drive paths. */
export function safeRepoPath(repo: string, p: string): string {
  const bad = p === "" || p.length > 1024 || p.includes("\0") || p.includes("\\") || p.startsWith("/") || /^[A-Za-z]:/.test(p) || p.split("/").some((seg) => seg === ".." || seg === "." || seg === "");
  if (bad) throw new CortexError("FMT_INVALID", `the Hub listing of ${repo} has an unsafe file path ${JSON.stringify(p.slice(0, 200))}; refusing to write it`);
  return p;
}

/** Etags name blobs: 40-hex git sha1 or 64-hex sha256 only (anything else could name a path). */
export function safeEtag(repo: string, etag: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(etag)) throw new CortexError("FMT_INVALID", `the Hub gave ${repo} an invalid object id ${JSON.stringify(etag.slice(0, 80))}`);
  return etag;
}

/** Relative symlink target from snapshots/<commit>/<path> to blobs/<etag> (one more ../ per folder). */
export function pointerTarget(repoPath: string, etag: string): string {
  const depth = repoPath.split("/").length - 1;
  return path.posix.join(...Array(depth + 2).fill(".."), "blobs", etag);
}

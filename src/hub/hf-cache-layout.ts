import fs from "node:fs";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/** The HF cache layout (hub-protocol §3.1), shared with transformers, mlx-lm and huggingface_hub. */
export function repoFolderName(repo: string): string {
  return `models--${repo.replace(/\//g, "--")}`;
}

/** `models--org--name` → "org/name" (huggingface_hub: the type prefix off, "--" → "/"); undefined for other names. */
export function repoIdOfFolder(folder: string): string | undefined {
  const m = /^models--(.+)$/.exec(folder);
  return m ? m[1]!.replace(/--/g, "/") : undefined;
}

/** `…/models--org--name/snapshots/<commit>[/]` → the repo and commit; undefined when the path is not a snapshot folder. */
export function parseSnapshotPath(p: string): { repo: string; commit: string } | undefined {
  const m = /(?:^|[\\/])(models--[^\\/]+)[\\/]snapshots[\\/]([0-9a-f]{40})[\\/]?$/.exec(p);
  const repo = m && repoIdOfFolder(m[1]!);
  return repo ? { repo, commit: m![2]! } : undefined;
}

/**
 * A repo's snapshot in the cache, answering a branch or tag from refs/ as huggingface_hub does offline (a 40-hex
 * revision is the commit itself); undefined when the cache does not hold it.
 */
export function cachedSnapshot(cacheDir: string, repo: string, revision = "main"): { path: string; commit: string } | undefined {
  let commit = revision;
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    try {
      commit = fs.readFileSync(refPath(cacheDir, repo, revision), "utf8").trim();
    } catch {
      return undefined;
    }
  }
  const snap = snapshotDir(cacheDir, repo, commit);
  return fs.existsSync(snap) ? { path: snap, commit } : undefined;
}

export function repoDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, repoFolderName(repo));
}

export function blobPath(cacheDir: string, repo: string, etag: string): string {
  return path.join(repoDir(cacheDir, repo), "blobs", etag);
}

/**
 * The partial file of a blob. Not huggingface_hub's `<etag>.incomplete`: ours is written in parallel parts and
 * so has holes, and Python resumes an `.incomplete` whose size equals the expected size by renaming it into
 * place unread, which would publish the holes. The suffix still ends in `.incomplete` so `hf cache` sees it.
 */
export function partialPath(blob: string): string {
  return `${blob}.cortexd.incomplete`;
}

/** Per-part progress of a partial file (JSON), for resuming after a crash. */
export function partsSidecarPath(blob: string): string {
  return `${blob}.cortexd.parts.json`;
}

export function snapshotDir(cacheDir: string, repo: string, commit: string): string {
  return path.join(repoDir(cacheDir, repo), "snapshots", commit);
}

export function refPath(cacheDir: string, repo: string, ref: string): string {
  return path.join(repoDir(cacheDir, repo), "refs", ...ref.split("/"));
}

export function lockPath(cacheDir: string, repo: string, etag: string): string {
  return path.join(cacheDir, ".locks", repoFolderName(repo), `${etag}.lock`);
}

/**
 * huggingface_hub's (≥ 1.x) cached listing of a commit, `trees/<commit>.json`: a commit never changes, so the
 * listing is kept for good; a snapshot missing files of it is partial, for Python tools and for cortexd offline.
 */
export function treeCachePath(cacheDir: string, repo: string, commit: string): string {
  return path.join(repoDir(cacheDir, repo), "trees", `${commit}.json`);
}

/** What cortexd wrote before it wrote trees/ (read, offline, for caches filled by an older cortexd). */
export function legacyListingPath(cacheDir: string, repo: string, commit: string): string {
  return path.join(repoDir(cacheDir, repo), ".cortexd", `${commit}.files.json`);
}

/** A repo path from a Hub listing must stay inside the snapshot: no "..", no absolute or drive paths. */
export function safeRepoPath(repo: string, p: string): string {
  const bad =
    typeof p !== "string" ||
    p === "" ||
    p.length > 1024 ||
    /[\0-\x1f\\]/.test(p) ||
    p.startsWith("/") ||
    /^[A-Za-z]:/.test(p) ||
    p.split("/").some((seg) => seg === ".." || seg === "." || seg === "");
  if (bad) throw new CortexError("FMT_INVALID", `the Hub listing of ${repo} has an unsafe file path ${JSON.stringify(String(p).slice(0, 200))}; refusing to write it`);
  return p;
}

/** Etags name blobs: 40-hex git sha1 or 64-hex sha256 only (anything else could name a path). */
export function safeEtag(repo: string, etag: string, file?: string): string {
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(etag)) throw new CortexError("FMT_INVALID", `the Hub gave ${repo}${file ? ` file ${file}` : ""} an invalid object id ${JSON.stringify(String(etag).slice(0, 80))}`);
  return etag;
}

/** Relative symlink target from snapshots/<commit>/<path> to blobs/<etag> (one more ../ per folder). */
export function pointerTarget(repoPath: string, etag: string): string {
  const depth = repoPath.split("/").length - 1;
  return path.posix.join(...Array<string>(depth + 2).fill(".."), "blobs", etag);
}

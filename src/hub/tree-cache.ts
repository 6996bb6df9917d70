import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { RepoFile } from "./hub-client.js";
import { safeEtag, safeRepoPath } from "./hf-cache-layout.js";

/** huggingface_hub's TREE_CACHE_FORMAT_VERSION: another version is ignored (and listed again), as Python does. */
const FORMAT_VERSION = 1;

interface TreeEntry {
  size: number;
  blob_id: string;
  lfs_sha256?: string;
  lfs_size?: number;
  xet_hash?: string;
}

/**
 * A commit's listing as huggingface_hub's `_tree_cache.write_tree_cache` writes it:
 * `{"format_version": 1, "files": {<path>: {size, blob_id[, lfs_sha256, lfs_size][, xet_hash]}}}`, paths sorted,
 * indent 1, written to a temp file in the folder and renamed into place. Failures are ignored, as in Python
 * (the listing is a cache).
 */
export function writeTreeCache(file: string, files: readonly RepoFile[]): void {
  const entries: Record<string, TreeEntry> = {};
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    entries[f.path] = { size: f.size, blob_id: f.blobId, ...(f.lfs ? { lfs_sha256: f.etag, lfs_size: f.size } : {}), ...(f.xetHash ? { xet_hash: f.xetHash } : {}) };
  }
  const tmp = path.join(path.dirname(file), `tmp${crypto.randomBytes(6).toString("hex")}.tmp`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify({ format_version: FORMAT_VERSION, files: entries }, null, 1));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * The cached listing, or undefined when there is none, it has another format version, or anything in it is not
 * what the Hub could have said (a path leaving the snapshot, an id that is no blob name): then it is listed again.
 */
export function readTreeCache(file: string, repo: string): RepoFile[] | undefined {
  let data: { format_version?: unknown; files?: unknown };
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8")) as typeof data;
  } catch {
    return undefined;
  }
  if (data?.format_version !== FORMAT_VERSION || typeof data.files !== "object" || data.files === null) return undefined;
  try {
    return Object.entries(data.files as Record<string, TreeEntry>).map(([p, e]) => {
      const lfs = typeof e.lfs_sha256 === "string";
      const size = lfs ? e.lfs_size : e.size;
      if (!Number.isSafeInteger(size) || (size as number) < 0 || typeof e.blob_id !== "string") throw new Error("bad entry");
      return { path: safeRepoPath(repo, p), size: size as number, etag: safeEtag(repo, lfs ? e.lfs_sha256! : e.blob_id, p), lfs, blobId: e.blob_id, ...(typeof e.xet_hash === "string" ? { xetHash: e.xet_hash } : {}) };
    });
  } catch {
    return undefined;
  }
}

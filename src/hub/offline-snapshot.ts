import fs from "node:fs";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { filterPaths, isLiteralPattern } from "../formats/glob-match.js";
import { legacyListingPath, refPath, safeRepoPath, snapshotDir, treeCachePath } from "./hf-cache-layout.js";
import type { RepoFile } from "./hub-client.js";
import { sha256File } from "./sha256-file.js";
import { readTreeCache } from "./tree-cache.js";
import type { SnapshotFile, SnapshotOptions, SnapshotResult } from "./snapshot-download.js";

const COMMIT_RE = /^[0-9a-f]{40}$/;
const ETAG_RE = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * HF_HUB_OFFLINE: answer from refs/ + snapshots/ like huggingface_hub's try_to_load_from_cache, without a single
 * request. Where a pull recorded the commit's listing (trees/<commit>.json, cortexd's or huggingface_hub's), files
 * of the selection that never finished are named;
 * otherwise (a cache filled by Python tools) named include patterns and broken links are checked.
 */
export async function offlineSnapshot(o: SnapshotOptions): Promise<SnapshotResult> {
  const where = `${o.repo}@${o.revision}`;
  let commit = o.revision;
  if (!COMMIT_RE.test(commit)) {
    try {
      commit = fs.readFileSync(refPath(o.cacheDir, o.repo, o.revision), "utf8").trim();
    } catch {
      throw new CortexError("HUB_OFFLINE", `offline mode: ${where} is not in the cache ${o.cacheDir} (no refs/${o.revision}); pull it once online`);
    }
  }
  const snap = snapshotDir(o.cacheDir, o.repo, commit);
  if (!COMMIT_RE.test(commit) || !fs.existsSync(snap)) {
    throw new CortexError("HUB_OFFLINE", `offline mode: snapshot ${commit.slice(0, 40)} of ${where} is not in the cache ${o.cacheDir}; pull it once online`);
  }
  const include = o.include ?? [];
  const exclude = o.exclude ?? [];
  const present = new Set<string>();
  walk(snap, "", present);
  const listing = readTreeCache(treeCachePath(o.cacheDir, o.repo, commit), o.repo) ?? readLegacyListing(legacyListingPath(o.cacheDir, o.repo, commit));
  // Named includes are candidates too: a file asked for by name and absent is reported, not silently skipped.
  const candidates = [...(listing ? listing.map((f) => f.path) : present), ...include.filter(isLiteralPattern)];
  const chosen = [...new Set(filterPaths(candidates, include, exclude))].sort();
  if (chosen.length === 0) throw new CortexError("HUB_OFFLINE", `offline mode: no cached files of ${where} match ${JSON.stringify({ include, exclude })}`);
  const missing = chosen.filter((p) => !present.has(p) || !exists(path.join(snap, ...p.split("/"))));
  if (missing.length > 0) {
    const names = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
    throw new CortexError("HUB_OFFLINE", `offline mode: ${missing.length} file(s) of ${where} are not in the cache: ${names}`, { details: { repo: o.repo, commit, missing } });
  }
  const files: SnapshotFile[] = [];
  for (const p of chosen) {
    o.signal?.throwIfAborted();
    const full = path.join(snap, ...p.split("/"));
    let etag = "";
    try {
      etag = path.basename(fs.readlinkSync(full));
    } catch {
      // a real file (no-symlink mode)
    }
    const lfs = /^[0-9a-f]{64}$/.test(etag);
    const size = fs.statSync(full).size;
    files.push({ path: p, size, etag: ETAG_RE.test(etag) ? etag : "", lfs, sha256: lfs ? etag : await sha256File(full, o.signal) });
  }
  return { repo: o.repo, commit, snapshotPath: snap, files, bytesFetched: 0, fromCache: true };
}

/** Repo paths of the files and links under a snapshot. */
function walk(dir: string, rel: string, out: Set<string>): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
    else if (e.isFile() || e.isSymbolicLink()) out.add(r);
  }
}

/** Follows the link: a pointer whose blob is gone counts as missing. */
function exists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `.cortexd/<commit>.files.json`, what cortexd kept before trees/<commit>.json. */
function readLegacyListing(file: string): RepoFile[] | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as { files?: RepoFile[] };
    if (!Array.isArray(data.files)) return undefined;
    for (const f of data.files) safeRepoPath("the cached listing", f.path); // a tampered record must not point outside
    return data.files;
  } catch {
    return undefined;
  }
}

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { listFiles, modelInfo } from "@huggingface/hub";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { withBlobLock } from "./blob-lock.js";
import { downloadBlob } from "./download-blob.js";
import { filterPaths } from "./glob-match.js";
import { blobPath, lockPath, pointerTarget, refPath, repoDir, safeEtag, safeRepoPath, snapshotDir } from "./hf-cache-layout.js";
import { createHubFetch } from "./hub-http.js";

export interface SnapshotProgress {
  doneBytes: number;
  totalBytes: number;
  filesDone: number;
  filesTotal: number;
  file?: string;
  fileDone?: number;
  fileTotal?: number;
}

export interface SnapshotOptions {
  repo: string;
  revision: string;
  cacheDir: string;
  hubUrl: string;
  token?: string;
  include?: string[];
  exclude?: string[];
  partsPerFile?: number;
  maxConcurrentFiles?: number;
  offline?: boolean;
  stallMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: SnapshotProgress) => void;
}

export interface SnapshotFile {
  path: string;
  size: number;
  etag: string;
  sha256: string;
  lfs: boolean;
}

export interface SnapshotResult {
  repo: string;
  commit: string;
  snapshotPath: string;
  files: SnapshotFile[];
  bytesFetched: number;
  fromCache: boolean;
}

const COMMIT_RE = /^[0-9a-f]{40}$/;

/**
 * repo@revision → the HF cache, exactly as huggingface_hub lays it out (blobs/, snapshots/<commit>/ relative
 * symlinks, refs/<rev>). Resolves the revision to a commit first; files in parallel under a concurrency limit;
 * a file appears in snapshots/ only when complete and verified.
 */
export async function snapshotDownload(o: SnapshotOptions): Promise<SnapshotResult> {
  if (o.offline) return offlineSnapshot(o);
  const hubFetch = createHubFetch({ hubUrl: o.hubUrl, repo: o.repo, ...(o.token ? { token: o.token } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  const info = await modelInfo({ name: o.repo, revision: o.revision, hubUrl: o.hubUrl, fetch: hubFetch, additionalFields: ["sha"] });
  const commit = (info as { sha?: string }).sha ?? "";
  if (!COMMIT_RE.test(commit)) throw new CortexError("HUB_UNAVAILABLE", `the Hub gave no commit for ${o.repo}@${o.revision}`);

  const entries: { path: string; size: number; etag: string; lfs: boolean }[] = [];
  for await (const e of listFiles({ repo: { type: "model", name: o.repo }, revision: commit, recursive: true, hubUrl: o.hubUrl, fetch: hubFetch })) {
    if (e.type !== "file") continue;
    if (entries.length >= 100_000) throw new CortexError("FMT_INVALID", `the Hub listing of ${o.repo} has more than 100000 files; refusing`);
    const lfs = Boolean(e.lfs);
    entries.push({ path: safeRepoPath(o.repo, e.path), size: lfs ? e.lfs!.size : e.size, etag: safeEtag(o.repo, lfs ? e.lfs!.oid : e.oid ?? ""), lfs });
  }
  const wanted = new Set(filterPaths(entries.map((e) => e.path), o.include ?? [], o.exclude ?? []));
  const files = entries.filter((e) => wanted.has(e.path));
  if (files.length === 0) throw new CortexError("HUB_NOT_FOUND", `no files of ${o.repo}@${o.revision} match the include/exclude patterns`);

  const snap = snapshotDir(o.cacheDir, o.repo, commit);
  fs.mkdirSync(path.join(repoDir(o.cacheDir, o.repo), "blobs"), { recursive: true });
  fs.mkdirSync(snap, { recursive: true });
  if (o.revision !== commit) writeRef(o.cacheDir, o.repo, o.revision, commit);

  const progress: SnapshotProgress = { doneBytes: 0, totalBytes: files.reduce((s, f) => s + f.size, 0), filesDone: 0, filesTotal: files.length };
  let bytesFetched = 0;
  const queue = [...files].sort((a, b) => b.size - a.size);
  const out: SnapshotFile[] = [];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      o.signal?.throwIfAborted();
      const blob = blobPath(o.cacheDir, o.repo, f.etag);
      let fileDone = 0;
      const file = f;
      const onBytes = (n: number) => {
        fileDone += n;
        progress.doneBytes += n;
        o.onProgress?.({ ...progress, file: file.path, fileDone, fileTotal: file.size });
      };
      if (!blobComplete(blob, f.size)) {
        await withBlobLock(lockPath(o.cacheDir, o.repo, f.etag), o.signal, async () => {
          if (blobComplete(blob, f.size)) return; // another process finished it while we waited
          const url = `${o.hubUrl.replace(/\/$/, "")}/${o.repo}/resolve/${commit}/${f.path.split("/").map(encodeURIComponent).join("/")}`;
          for (let attempt = 1; ; attempt++) {
            try {
              const r = await downloadBlob({
                url,
                hubUrl: o.hubUrl,
                repo: o.repo,
                ...(o.token ? { token: o.token } : {}),
                dest: blob,
                size: f.size,
                ...(f.lfs ? { sha256: f.etag } : { gitSha1: f.etag }),
                parts: f.size > 64 * 1024 * 1024 ? (o.partsPerFile ?? 8) : 1,
                ...(o.stallMs ? { stallMs: o.stallMs } : {}),
                ...(o.signal ? { signal: o.signal } : {}),
                onBytes,
                label: `${o.repo}/${f.path}`,
              });
              bytesFetched += r.bytesFetched;
              return;
            } catch (err) {
              // Corrupt bytes: the partial file is gone; fetch once more from scratch, then give up.
              if (isCortexError(err) && err.code === "HUB_INTEGRITY" && attempt < 2) {
                progress.doneBytes -= fileDone;
                fileDone = 0;
                continue;
              }
              throw err;
            }
          }
        });
      } else {
        onBytes(f.size);
      }
      linkPointer(snap, f.path, f.etag);
      out.push({ path: f.path, size: f.size, etag: f.etag, lfs: f.lfs, sha256: f.lfs ? f.etag : await sha256File(blob) });
      progress.filesDone++;
      o.onProgress?.({ ...progress, file: f.path, fileDone: f.size, fileTotal: f.size });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.maxConcurrentFiles ?? 4, files.length)) }, worker));
  return { repo: o.repo, commit, snapshotPath: snap, files: out.sort((a, b) => a.path.localeCompare(b.path)), bytesFetched, fromCache: bytesFetched === 0 };
}

function blobComplete(blob: string, size: number): boolean {
  try {
    return fs.statSync(blob).size === size;
  } catch {
    return false;
  }
}

function writeRef(cacheDir: string, repo: string, ref: string, commit: string): void {
  const file = refPath(cacheDir, repo, ref);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, commit);
  fs.renameSync(`${file}.tmp`, file);
}

function linkPointer(snap: string, repoPath: string, etag: string): void {
  const pointer = path.join(snap, ...repoPath.split("/"));
  if (!path.resolve(pointer).startsWith(path.resolve(snap) + path.sep)) throw new CortexError("FMT_INVALID", `pointer ${repoPath} escapes the snapshot`);
  fs.mkdirSync(path.dirname(pointer), { recursive: true });
  const target = pointerTarget(repoPath, etag);
  try {
    if (fs.readlinkSync(pointer) === target) return;
  } catch {
    // absent or not a link
  }
  const tmp = `${pointer}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp);
  fs.renameSync(tmp, pointer);
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** HF_HUB_OFFLINE: answer from refs/ + snapshots/ like huggingface_hub's try_to_load_from_cache. */
async function offlineSnapshot(o: SnapshotOptions): Promise<SnapshotResult> {
  let commit = o.revision;
  if (!COMMIT_RE.test(commit)) {
    try {
      commit = fs.readFileSync(refPath(o.cacheDir, o.repo, o.revision), "utf8").trim();
    } catch {
      throw new CortexError("HUB_OFFLINE", `offline mode: ${o.repo}@${o.revision} is not in the cache ${o.cacheDir}`);
    }
  }
  const snap = snapshotDir(o.cacheDir, o.repo, commit);
  if (!fs.existsSync(snap)) throw new CortexError("HUB_OFFLINE", `offline mode: snapshot ${commit} of ${o.repo} is not in the cache ${o.cacheDir}`);
  const all: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else all.push(r);
    }
  };
  walk(snap, "");
  const chosen = filterPaths(all, o.include ?? [], o.exclude ?? []);
  if (chosen.length === 0) throw new CortexError("HUB_OFFLINE", `offline mode: no cached files of ${o.repo}@${o.revision} match the patterns`);
  const files: SnapshotFile[] = [];
  for (const p of chosen.sort()) {
    const full = path.join(snap, ...p.split("/"));
    let etag = "";
    try {
      etag = path.basename(fs.readlinkSync(full));
    } catch {
      // a real file (no-symlink mode)
    }
    const size = fs.statSync(full).size;
    files.push({ path: p, size, etag, lfs: etag.length === 64, sha256: etag.length === 64 ? etag : await sha256File(full) });
  }
  return { repo: o.repo, commit, snapshotPath: snap, files, bytesFetched: 0, fromCache: true };
}

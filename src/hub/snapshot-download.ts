import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { withBlobLock } from "./blob-lock.js";
import { downloadFile, removePartial, type FileProgress } from "./download-file.js";
import { filterPaths, isLiteralPattern } from "../formats/glob-match.js";
import { blobPath, lockPath, pointerTarget, refPath, repoDir, snapshotDir, treeCachePath } from "./hf-cache-layout.js";
import { HubClient, type RepoFile } from "./hub-client.js";
import { offlineSnapshot } from "./offline-snapshot.js";
import { validateRepoId, validateRevision } from "./parse-repo-ref.js";
import { createProgressSampler } from "./progress-sampler.js";
import { sha256File } from "./sha256-file.js";
import { readTreeCache, writeTreeCache } from "./tree-cache.js";

export interface SnapshotProgress {
  /** Bytes of the selected files on disk (cached and resumed bytes included). */
  doneBytes: number;
  totalBytes: number;
  filesDone: number;
  filesTotal: number;
  /** The file that moved last. */
  file?: string;
  fileDone?: number;
  fileTotal?: number;
  /** Every file being downloaded now. */
  active: FileProgress[];
}

export interface SnapshotOptions {
  /** "org/name". */
  repo: string;
  /** Branch, tag, refs/pr/N or a 40-hex commit. */
  revision: string;
  /** The HF hub cache (see resolveHfHubCache). */
  cacheDir: string;
  /** The Hub's base URL (HF_ENDPOINT). */
  hubUrl: string;
  token?: string;
  /** fnmatch patterns on repo paths, as huggingface_hub's allow_patterns / ignore_patterns. */
  include?: string[];
  exclude?: string[];
  /** Ranged parts per file. Defaults to 8. */
  partsPerFile?: number;
  /** No part below this size. Defaults to 16 MiB. */
  minPartBytes?: number;
  /** Files downloaded at once. Defaults to 4. */
  maxConcurrentFiles?: number;
  /** Answer from the cache only (HF_HUB_OFFLINE). */
  offline?: boolean;
  /** No byte for this long → the part is retried. Defaults to 30 s. */
  stallMs?: number;
  /** Whole-file retries after a hash mismatch before HUB_INTEGRITY. Defaults to 1. */
  maxIntegrityRetries?: number;
  signal?: AbortSignal;
  /** On cancel, delete partial files (by default they stay for a resume). */
  removePartialOnAbort?: boolean;
  /** Sampled: at most one event per progressIntervalMs (default 100 ms), plus a final one. */
  onProgress?: (p: SnapshotProgress) => void;
  progressIntervalMs?: number;
}

export interface SnapshotFile {
  path: string;
  size: number;
  /** The blob name: LFS sha256 or git blob sha1. */
  etag: string;
  sha256: string;
  lfs: boolean;
}

export interface SnapshotResult {
  repo: string;
  commit: string;
  /** <cacheDir>/models--org--name/snapshots/<commit>. */
  snapshotPath: string;
  /** The selected files, sorted by path. */
  files: SnapshotFile[];
  /** Bytes fetched from the network by this call. */
  bytesFetched: number;
  fromCache: boolean;
}

/**
 * repo@revision → the HF cache, laid out exactly as huggingface_hub does (blobs/<etag>, snapshots/<commit>/<path>
 * relative symlinks, refs/<revision>). The revision is resolved to a commit once; files download in parallel under
 * a concurrency limit, each in ranged parts under a per-blob lock; a file appears in snapshots/ only when complete
 * and verified. Offline mode answers from the cache or fails with HUB_OFFLINE naming what is missing.
 */
export async function snapshotDownload(o: SnapshotOptions): Promise<SnapshotResult> {
  validateRepoId(o.repo);
  validateRevision(o.revision);
  if (o.offline) return offlineSnapshot(o);
  const client = new HubClient({ repo: o.repo, hubUrl: o.hubUrl, ...(o.token ? { token: o.token } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  const info = await client.revisionInfo(o.revision);
  const commit = info.commit;
  const include = o.include ?? [];
  const exclude = o.exclude ?? [];
  // The whole listing, as huggingface_hub takes it: from trees/<commit>.json when a pull already listed this
  // commit (a commit never changes), else from the Hub, kept there. With it, Python tools and cortexd's offline
  // mode know a pull with --include left the snapshot partial.
  const treeFile = treeCachePath(o.cacheDir, o.repo, commit);
  const cachedTree = readTreeCache(treeFile, o.repo);
  const listed = cachedTree ?? (await client.listFiles(commit));
  const listedPaths = new Set(listed.map((f) => f.path));
  const absent = [...new Set(include.filter(isLiteralPattern))].filter((p) => !listedPaths.has(p));
  if (absent.length > 0) {
    throw new CortexError("HUB_NOT_FOUND", `${absent.length === 1 ? "file" : "files"} ${absent.slice(0, 5).join(", ")}${absent.length > 5 ? ` and ${absent.length - 5} more` : ""} not found in ${o.repo}@${commit}`, { details: { repo: o.repo, missing: absent } });
  }
  const wanted = new Set(filterPaths([...listedPaths], include, exclude));
  const files = listed.filter((f) => wanted.has(f.path));
  if (files.length === 0) {
    throw new CortexError("HUB_NOT_FOUND", `no files of ${o.repo}@${o.revision} match ${JSON.stringify({ include, exclude })}`);
  }
  // A gated repo lists its files to anyone: probe one download before touching the cache, to fail early.
  if (info.gated) await client.fileInfo(commit, files[0]!.path);
  if (!cachedTree) writeTreeCache(treeFile, listed);

  const snap = snapshotDir(o.cacheDir, o.repo, commit);
  fs.mkdirSync(path.join(repoDir(o.cacheDir, o.repo), "blobs"), { recursive: true });
  fs.mkdirSync(snap, { recursive: true });
  if (o.revision !== commit) writeAtomic(refPath(o.cacheDir, o.repo, o.revision), commit);

  const sampler = createProgressSampler(o.onProgress, o.progressIntervalMs ?? 100);
  const done = new Map<string, number>();
  const active = new Map<string, FileProgress>();
  let filesDone = 0;
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const report = (p: FileProgress) => {
    done.set(p.file, p.done);
    if (p.done < p.total) active.set(p.file, p);
    else active.delete(p.file);
    let doneBytes = 0;
    for (const n of done.values()) doneBytes += n;
    sampler.push({ doneBytes, totalBytes, filesDone, filesTotal: files.length, file: p.file, fileDone: p.done, fileTotal: p.total, active: [...active.values()] });
  };

  // Sibling files stop when one fails for good; their partial files stay for a later resume.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let bytesFetched = 0;
  const out: SnapshotFile[] = [];
  const queue = [...files].sort((a, b) => b.size - a.size); // big files first: the tail is short
  const fetchOne = async (f: RepoFile) => {
    const blob = blobPath(o.cacheDir, o.repo, f.etag);
    if (!blobComplete(blob, f.size)) {
      await withBlobLock(lockPath(o.cacheDir, o.repo, f.etag), signal, async () => {
        if (blobComplete(blob, f.size)) return; // another pull finished it while we waited
        let r: Awaited<ReturnType<typeof downloadFile>>;
        try {
          r = await downloadFile({
            url: client.resolveUrl(commit, f.path),
            hubUrl: o.hubUrl,
            ...(o.token ? { token: o.token } : {}),
            repo: o.repo,
            file: f.path,
            dest: blob,
            size: f.size,
            ...(f.lfs ? { sha256: f.etag } : { gitSha1: f.etag }),
            ...(o.partsPerFile ? { partsPerFile: o.partsPerFile } : {}),
            ...(o.minPartBytes ? { minPartBytes: o.minPartBytes } : {}),
            ...(o.stallMs ? { stallMs: o.stallMs } : {}),
            ...(o.maxIntegrityRetries !== undefined ? { maxIntegrityRetries: o.maxIntegrityRetries } : {}),
            signal,
            removePartialOnAbort: () => Boolean(o.removePartialOnAbort && o.signal?.aborted),
            onProgress: report,
            progressIntervalMs: 0, // sampled once, below, for the whole snapshot
          });
        } catch (err) {
          // A full disk: give the space back rather than keep a resume point (also for siblings stopped by it).
          if (isNoSpace(err) || isNoSpace(stop.signal.reason)) removePartial(blob);
          throw err;
        }
        bytesFetched += r.bytesFetched;
      });
    }
    linkPointer(snap, f.path, f.etag);
    out.push({ path: f.path, size: f.size, etag: f.etag, lfs: f.lfs, sha256: f.lfs ? f.etag : await sha256File(blob, signal) });
    filesDone++;
    report({ file: f.path, done: f.size, total: f.size });
  };
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      signal.throwIfAborted();
      await fetchOne(f).catch((err: unknown) => {
        stop.abort(err);
        throw err;
      });
    }
  };
  const n = Math.max(1, Math.min(o.maxConcurrentFiles ?? 4, files.length));
  const settled = await Promise.allSettled(Array.from({ length: n }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    sampler.cancel();
    throw o.signal?.aborted ? (o.signal.reason instanceof Error ? o.signal.reason : new CortexError("JOB_CANCELLED", `pull of ${o.repo}@${o.revision} cancelled`)) : failed.reason;
  }
  sampler.flush();
  return { repo: o.repo, commit, snapshotPath: snap, files: out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), bytesFetched, fromCache: bytesFetched === 0 };
}

function isNoSpace(err: unknown): boolean {
  return isCortexError(err) && err.code === "IO_NO_SPACE";
}

function blobComplete(blob: string, size: number): boolean {
  try {
    return fs.statSync(blob).size === size;
  } catch {
    return false;
  }
}

/** temp + rename with a name unique to this writer, so concurrent pulls never trip over each other's temp file. */
function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** snapshots/<commit>/<path> → ../../blobs/<etag>, replaced atomically; checked to stay inside the snapshot. */
function linkPointer(snap: string, repoPath: string, etag: string): void {
  const pointer = path.join(snap, ...repoPath.split("/"));
  if (!path.resolve(pointer).startsWith(path.resolve(snap) + path.sep)) throw new CortexError("FMT_INVALID", `the Hub path ${repoPath} would escape the snapshot folder; refusing`);
  fs.mkdirSync(path.dirname(pointer), { recursive: true });
  const target = pointerTarget(repoPath, etag);
  try {
    if (fs.readlinkSync(pointer) === target) return;
  } catch {
    // absent or not a link
  }
  const tmp = `${pointer}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.symlinkSync(target, tmp);
  } catch (err) {
    // No symlinks here (some network or FAT file systems): a copy, as huggingface_hub falls back to.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    fs.copyFileSync(path.resolve(path.dirname(pointer), target), tmp);
  }
  fs.renameSync(tmp, pointer);
}

import fs from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { isInside } from "../safe-remove.js";

/** One file of a cached revision (Python `CachedFileInfo`). */
export interface HfCachedFile {
  /** Path inside the snapshot, "/"-separated. */
  readonly fileName: string;
  /** The pointer: snapshots/<commit>/<fileName>. */
  readonly filePath: string;
  /**
   * The repo-level blob entry the pointer leads to (`<repo>/blobs/<etag>`), or the file itself when the snapshot
   * holds a real file (no-symlink mode). Deleting the revision unlinks this entry, never what it may link to.
   */
  readonly blobPath: string;
  /** True when `blobPath` is the snapshot file itself (goes with its snapshot). */
  readonly inSnapshot: boolean;
  /** Identity of the bytes (dev:ino of the final target): shared blobs count once. */
  readonly blobKey: string;
  readonly sizeOnDisk: number;
  readonly blobLastAccessed: number;
  readonly blobLastModified: number;
}

/** One snapshot (Python `CachedRevisionInfo`). */
export interface HfCachedRevision {
  readonly commitHash: string;
  readonly snapshotPath: string;
  /** Ref names pointing here, e.g. "main", "refs/pr/1". Empty = detached. */
  readonly refs: readonly string[];
  readonly files: readonly HfCachedFile[];
  readonly nbFiles: number;
  /** Distinct blobs linked. */
  readonly sizeOnDisk: number;
  /** Newest blob mtime, or the snapshot folder's mtime when empty (ms since epoch). */
  readonly lastModified: number;
}

/** One repo folder (Python `CachedRepoInfo`). */
export interface HfCachedRepo {
  readonly repoId: string;
  readonly repoType: string;
  readonly repoPath: string;
  readonly revisions: readonly HfCachedRevision[];
  /** Distinct blobs reachable from any snapshot. */
  readonly nbFiles: number;
  readonly sizeOnDisk: number;
  readonly lastAccessed: number;
  readonly lastModified: number;
  /** ref → commit */
  readonly refs: ReadonlyMap<string, string>;
}

export interface HfIncompleteFile {
  readonly path: string;
  readonly repoPath: string;
  readonly size: number;
  readonly lastModified: number;
}

/** The whole cache (Python `HFCacheInfo`). */
export interface HfCacheInfo {
  readonly cacheDir: string;
  readonly repos: readonly HfCachedRepo[];
  /** Physical: shared blobs counted once across repos. */
  readonly sizeOnDisk: number;
  readonly incompleteFiles: readonly HfIncompleteFile[];
  /** Corrupted repos and other problems; the scan goes on past them. */
  readonly warnings: readonly string[];
  /** Every folder the scan read. */
  readonly dirs: readonly string[];
}

/** Top-level entries every Python generation skips (hub-protocol §3.2, §3.4). */
const TOP_LEVEL_IGNORED = new Set([".locks", "CACHEDIR.TAG", ".DS_Store", "Thumbs.db", "desktop.ini", "blobs"]);
const FILES_TO_IGNORE = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);
const REPO_TYPES = new Set(["model", "dataset", "space", "kernel"]);

/** A repo folder name problem, as Python's CorruptedCacheException. */
export class CorruptedCacheError extends Error {}

/** `models--org--name` → {type: "model", id: "org/name"}, or undefined when it is not a cache folder name. */
export function parseRepoFolderName(name: string): { repoType: string; repoId: string } | undefined {
  const i = name.indexOf("--");
  if (i < 0) return undefined;
  const repoType = name.slice(0, i).replace(/s$/, "");
  if (!REPO_TYPES.has(repoType) || !name.slice(0, i).endsWith("s")) return undefined;
  return { repoType, repoId: name.slice(i + 2).replace(/--/g, "/") };
}

/**
 * Scan an HF hub cache the way Python's `scan_cache_dir` does: every `<type>s--<id>` folder, its refs (walked
 * recursively, so `refs/refs/pr/1` is ref `refs/pr/1`), every file under each snapshot (subfolders included)
 * followed to its blob. A corrupt repo becomes a warning and the scan goes on. Symlinks that leave the cache are
 * reported, never counted or followed further. Reads only directory entries, links and stats.
 */
export async function scanHfCache(cacheDir: string): Promise<HfCacheInfo> {
  const root = path.resolve(cacheDir);
  const warnings: string[] = [];
  const repos: HfCachedRepo[] = [];
  const incompleteFiles: HfIncompleteFile[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { cacheDir: root, repos: [], sizeOnDisk: 0, incompleteFiles: [], warnings: [], dirs: [] };
    throw err;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const physical = new Map<string, number>();
  const roots: Roots = { root, real: await fs.realpath(root) };
  await Promise.all(
    entries.map(async (e) => {
      if (TOP_LEVEL_IGNORED.has(e.name)) return;
      const repoPath = path.join(root, e.name);
      try {
        const repo = await scanRepo(roots, repoPath, e.name, warnings);
        repos.push(repo.info);
        for (const [k, v] of repo.blobSizes) physical.set(k, v);
        incompleteFiles.push(...(await findIncomplete(repoPath)));
      } catch (err) {
        if (err instanceof CorruptedCacheError) warnings.push(err.message);
        else warnings.push(`${repoPath}: ${(err as Error).message}`);
      }
    }),
  );
  repos.sort((a, b) => a.repoPath.localeCompare(b.repoPath));
  let sizeOnDisk = 0;
  for (const v of physical.values()) sizeOnDisk += v;
  const dirs = new Set<string>([root]);
  for (const r of repos) {
    for (const sub of ["", "snapshots", "refs", "blobs"]) dirs.add(path.join(r.repoPath, sub));
    for (const ref of r.refs.keys()) for (let d = path.posix.dirname(ref); d !== "."; d = path.posix.dirname(d)) dirs.add(path.join(r.repoPath, "refs", ...d.split("/")));
    for (const v of r.revisions) {
      dirs.add(v.snapshotPath);
      for (const f of v.files) for (let d = path.posix.dirname(f.fileName); d !== "."; d = path.posix.dirname(d)) dirs.add(path.join(v.snapshotPath, ...d.split("/")));
    }
  }
  // Corrupt repos are watched too: fixing one is a change.
  for (const e of entries) if (!TOP_LEVEL_IGNORED.has(e.name) && e.isDirectory()) dirs.add(path.join(root, e.name));
  return { cacheDir: root, repos, sizeOnDisk, incompleteFiles, warnings, dirs: [...dirs] };
}

interface Roots {
  root: string;
  real: string;
}

async function scanRepo(roots: Roots, repoPath: string, folder: string, warnings: string[]): Promise<{ info: HfCachedRepo; blobSizes: Map<string, number> }> {
  const st = await fs.lstat(repoPath);
  if (!st.isDirectory()) throw new CorruptedCacheError(`Repo path is not a directory: ${repoPath}`);
  const parsed = parseRepoFolderName(folder);
  if (!folder.includes("--")) throw new CorruptedCacheError(`Repo path is not a valid HuggingFace cache directory: ${repoPath}`);
  if (!parsed) throw new CorruptedCacheError(`Repo type must be \`dataset\`, \`model\` or \`space\`, found \`${folder.slice(0, folder.indexOf("--")).replace(/s$/, "")}\` (${repoPath}).`);
  const snapshotsPath = path.join(repoPath, "snapshots");
  const snapSt = await fs.lstat(snapshotsPath).catch(() => undefined);
  if (!snapSt?.isDirectory()) throw new CorruptedCacheError(`Snapshots dir doesn't exist in cached repo: ${snapshotsPath}`);

  const refsByHash = await readRefs(path.join(repoPath, "refs"));
  const refs = new Map<string, string>();
  for (const [hash, names] of refsByHash) for (const n of names) refs.set(n, hash);

  const blobStats = new Map<string, Stats>();
  const blobsSeen = new Map<string, BlobSeen>();
  const revisions: HfCachedRevision[] = [];
  const snapshots = (await fs.readdir(snapshotsPath, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const s of snapshots) {
    if (FILES_TO_IGNORE.has(s.name)) continue;
    const revisionPath = path.join(snapshotsPath, s.name);
    if (!s.isDirectory()) throw new CorruptedCacheError(`Snapshots folder corrupted. Found a file: ${revisionPath}`);
    const files: HfCachedFile[] = [];
    for (const entry of await listEntriesRecursive(revisionPath)) {
      const file = await followPointer(roots, repoPath, revisionPath, entry, blobsSeen);
      if (file.kind === "outside") {
        warnings.push(`${file.filePath} links outside its repo's blobs/ or the cache (${file.target}); not counted`);
        continue;
      }
      if (file.kind === "broken") throw new CorruptedCacheError(`Blob missing (broken symlink): ${file.target}`);
      if (!blobStats.has(file.blobKey)) blobStats.set(file.blobKey, file.stats);
      files.push(file.info);
    }
    const distinct = new Map(files.map((f) => [f.blobKey, f.sizeOnDisk]));
    let size = 0;
    for (const v of distinct.values()) size += v;
    const lastModified = files.length ? Math.max(...files.map((f) => f.blobLastModified)) : (await fs.stat(revisionPath)).mtimeMs;
    const revRefs = [...(refsByHash.get(s.name) ?? [])].sort();
    refsByHash.delete(s.name);
    revisions.push({ commitHash: s.name, snapshotPath: revisionPath, refs: revRefs, files, nbFiles: files.length, sizeOnDisk: size, lastModified });
  }
  if (refsByHash.size > 0) {
    const missing = Object.fromEntries([...refsByHash].map(([h, names]) => [h, [...names].sort()]));
    throw new CorruptedCacheError(`Reference(s) refer to missing commit hashes: ${JSON.stringify(missing)} (${repoPath}).`);
  }
  let lastAccessed: number;
  let lastModified: number;
  if (blobStats.size > 0) {
    lastAccessed = Math.max(...[...blobStats.values()].map((b) => b.atimeMs));
    lastModified = Math.max(...[...blobStats.values()].map((b) => b.mtimeMs));
  } else {
    lastAccessed = st.atimeMs;
    lastModified = st.mtimeMs;
  }
  const blobSizes = new Map([...blobStats].map(([k, v]) => [k, v.size]));
  let sizeOnDisk = 0;
  for (const v of blobSizes.values()) sizeOnDisk += v;
  return {
    info: { repoId: parsed.repoId, repoType: parsed.repoType, repoPath, revisions, nbFiles: blobStats.size, sizeOnDisk, lastAccessed, lastModified, refs },
    blobSizes,
  };
}

/** refs/ walked recursively: file path relative to refs/ is the ref name; content is the commit (as written). */
async function readRefs(refsPath: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const st = await fs.lstat(refsPath).catch(() => undefined);
  if (!st) return out;
  if (!st.isDirectory()) throw new CorruptedCacheError(`Refs directory cannot be a file: ${refsPath}`);
  for (const rel of await listFilesRecursive(refsPath)) {
    if (FILES_TO_IGNORE.has(path.posix.basename(rel))) continue;
    const full = path.join(refsPath, ...rel.split("/"));
    if ((await fs.lstat(full)).isSymbolicLink()) continue; // never follow a link out of refs/
    const hash = await fs.readFile(full, "utf8");
    let set = out.get(hash);
    if (!set) out.set(hash, (set = new Set()));
    set.add(rel);
  }
  return out;
}

/** A non-directory entry below a folder. */
export interface ListedFile {
  /** "/"-separated path relative to the folder. */
  readonly rel: string;
  readonly isLink: boolean;
}

/** Every non-directory entry under `dir`, sorted. Directory links are not descended. */
export async function listEntriesRecursive(dir: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const walk = async (sub: string) => {
    const full = sub ? path.join(dir, sub) : dir;
    const entries = await fs.readdir(full, { withFileTypes: true });
    for (const e of entries) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(rel);
      else out.push({ rel, isLink: e.isSymbolicLink() });
    }
  };
  await walk("");
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Every non-directory entry under `dir`, "/"-separated relative paths, sorted. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  return (await listEntriesRecursive(dir)).map((e) => e.rel);
}

type Pointer =
  | { kind: "ok"; info: HfCachedFile; blobKey: string; stats: Stats }
  | { kind: "broken"; target: string }
  | { kind: "outside"; filePath: string; target: string };

/** A blob entry as seen once per scan (many pointers share one blob). */
type BlobSeen = { kind: "ok"; stats: Stats } | { kind: "broken" } | { kind: "outside"; real: string };

/**
 * Follow a snapshot entry to its blob without trusting the link: the link must name one of this repo's
 * `blobs/` entries (which may itself link into a shared store inside the cache). One readlink per pointer and one
 * lstat per distinct blob.
 */
async function followPointer(roots: Roots, repoPath: string, revisionPath: string, entry: ListedFile, blobs: Map<string, BlobSeen>): Promise<Pointer> {
  const filePath = path.join(revisionPath, ...entry.rel.split("/"));
  if (!entry.isLink) {
    const st = await fs.lstat(filePath);
    return { kind: "ok", blobKey: `${st.dev}:${st.ino}`, stats: st, info: fileInfo(entry.rel, filePath, filePath, true, st) };
  }
  const target = path.resolve(path.dirname(filePath), await fs.readlink(filePath));
  // Deleting a revision unlinks this entry: it must be one of this repo's blobs, never another path.
  if (!isInside(path.join(repoPath, "blobs"), target)) return { kind: "outside", filePath, target };
  let seen = blobs.get(target);
  if (!seen) {
    seen = await inspectBlob(roots, target);
    blobs.set(target, seen);
  }
  if (seen.kind === "broken") return { kind: "broken", target };
  if (seen.kind === "outside") return { kind: "outside", filePath, target: seen.real };
  return { kind: "ok", blobKey: `${seen.stats.dev}:${seen.stats.ino}`, stats: seen.stats, info: fileInfo(entry.rel, filePath, target, false, seen.stats) };
}

async function inspectBlob(roots: Roots, blobPath: string): Promise<BlobSeen> {
  const lst = await fs.lstat(blobPath).catch(() => undefined);
  if (!lst) return { kind: "broken" };
  if (!lst.isSymbolicLink()) return { kind: "ok", stats: lst };
  // A repo blob linking into the shared store (newest huggingface_hub): follow it, but only inside the cache.
  const real = await fs.realpath(blobPath).catch(() => undefined);
  if (!real) return { kind: "broken" };
  if (!isInside(roots.real, real)) return { kind: "outside", real };
  const st = await fs.stat(real).catch(() => undefined);
  return st ? { kind: "ok", stats: st } : { kind: "broken" };
}

function fileInfo(rel: string, filePath: string, blobPath: string, inSnapshot: boolean, st: Stats): HfCachedFile {
  return { fileName: rel, filePath, blobPath, inSnapshot, blobKey: `${st.dev}:${st.ino}`, sizeOnDisk: st.size, blobLastAccessed: st.atimeMs, blobLastModified: st.mtimeMs };
}

async function findIncomplete(repoPath: string): Promise<HfIncompleteFile[]> {
  const blobs = path.join(repoPath, "blobs");
  const names = await fs.readdir(blobs).catch(() => [] as string[]);
  const out: HfIncompleteFile[] = [];
  for (const n of names) {
    if (!n.endsWith(".incomplete")) continue;
    const st = await fs.lstat(path.join(blobs, n)).catch(() => undefined);
    if (st?.isFile()) out.push({ path: path.join(blobs, n), repoPath, size: st.size, lastModified: st.mtimeMs });
  }
  return out;
}

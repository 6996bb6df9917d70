import fs from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { pruneEmptyDirs, safeRemove } from "../safe-remove.js";
import { listFilesRecursive, type HfCacheInfo, type HfCachedRepo, type HfCachedRevision } from "./scan-hf-cache.js";
import { tryBlobLock } from "../../hub/blob-lock.js";
import { partsSidecarPath } from "../../hub/hf-cache-layout.js";
import { blobLockPath, incompleteEtag, incompleteIsActive, writtenRecently } from "./blob-activity.js";

/** A blob no remaining revision links to. */
export interface PlannedBlob {
  readonly path: string;
  readonly repoPath: string;
  readonly size: number;
}

/** What a delete will do (Python `DeleteCacheStrategy`), computed without touching anything. */
export interface HfDeletePlan {
  readonly cacheDir: string;
  /** Repos whose every revision goes: the folder is removed (unless a download is running in it). */
  readonly repos: readonly HfCachedRepo[];
  readonly snapshots: readonly string[];
  /** Single snapshot files to unlink (one model out of a snapshot that holds several). */
  readonly pointers?: readonly string[];
  readonly refs: readonly string[];
  readonly blobs: readonly PlannedBlob[];
  /** Stale `.incomplete` files (prune only). */
  readonly incomplete: readonly string[];
  /** Blobs of deleted revisions that another revision still links to: kept. */
  readonly sharedBlobs: readonly string[];
  readonly expectedFreedSize: number;
  readonly warnings: readonly string[];
}

export interface HfDeleteResult {
  readonly freedBytes: number;
  readonly deletedPaths: readonly string[];
  /** Kept paths with why: shared with another revision, locked by a download, in progress. */
  readonly keptBlobs: readonly string[];
  readonly warnings: readonly string[];
}

const COMMIT_PREFIX = /^[0-9a-f]{7,40}$/;

/**
 * Resolve user targets against a scan: `org/name` (every revision), `org/name@<commit, prefix ≥ 7 or ref>`,
 * a type prefix (`datasets/org/name`, `spaces/…`, `models/…`), or a bare commit hash. Unknown targets become
 * warnings, as Python's `delete_revisions` does; when nothing at all matches, REG_NOT_FOUND names them.
 */
export function resolveHfTargets(info: HfCacheInfo, targets: readonly string[]): { revisions: Set<HfCachedRevision>; warnings: string[] } {
  const revisions = new Set<HfCachedRevision>();
  const warnings: string[] = [];
  for (const raw of targets) {
    const target = raw.trim();
    if (COMMIT_PREFIX.test(target)) {
      const hits = info.repos.flatMap((r) => r.revisions.filter((v) => v.commitHash.startsWith(target)));
      if (hits.length === 0) warnings.push(`Revision not found - cannot delete it: ${target}`);
      else if (hits.length > 1) warnings.push(`Revision ${target} is ambiguous (${hits.length} revisions); give more digits`);
      else revisions.add(hits[0]!);
      continue;
    }
    const at = target.lastIndexOf("@");
    let repoPart = at > 0 ? target.slice(0, at) : target;
    const rev = at > 0 ? target.slice(at + 1) : undefined;
    let repoType = "model";
    const typed = /^(models|datasets|spaces|kernels)\/(.+)$/.exec(repoPart);
    if (typed && typed[2]!.includes("/")) {
      repoType = typed[1]!.replace(/s$/, "");
      repoPart = typed[2]!;
    }
    const repo = info.repos.find((r) => r.repoId === repoPart && r.repoType === repoType);
    if (!repo) {
      warnings.push(`Repo not found in the cache - cannot delete it: ${repoType}/${repoPart}`);
      continue;
    }
    if (rev === undefined) {
      for (const v of repo.revisions) revisions.add(v);
      continue;
    }
    const byRef = repo.refs.get(rev);
    const matches = byRef ? repo.revisions.filter((v) => v.commitHash === byRef) : COMMIT_PREFIX.test(rev) ? repo.revisions.filter((v) => v.commitHash.startsWith(rev)) : [];
    if (matches.length === 1) revisions.add(matches[0]!);
    else if (matches.length > 1) warnings.push(`Revision ${rev} of ${repoPart} is ambiguous; give more digits`);
    else warnings.push(`Revision not found - cannot delete it: ${repoPart}@${rev}`);
  }
  if (revisions.size === 0 && targets.length > 0) throw new CortexError("REG_NOT_FOUND", `nothing in the HF cache ${info.cacheDir} matches ${targets.join(", ")}: ${warnings.join("; ")}`);
  return { revisions, warnings };
}

/**
 * Python's selection: a repo losing every revision goes whole; otherwise its selected snapshots, the refs
 * pointing at them, and the blobs no remaining revision links to. Copied (non-symlinked) files go with their snapshot.
 */
export function planHfCacheDelete(info: HfCacheInfo, selected: ReadonlySet<HfCachedRevision>, extraWarnings: readonly string[] = []): HfDeletePlan {
  const repos: HfCachedRepo[] = [];
  const snapshots: string[] = [];
  const refs: string[] = [];
  const blobs = new Map<string, PlannedBlob>();
  const shared = new Set<string>();
  let expected = 0;
  for (const repo of info.repos) {
    const mine = repo.revisions.filter((v) => selected.has(v));
    if (mine.length === 0) continue;
    const others = repo.revisions.filter((v) => !selected.has(v));
    if (others.length === 0) {
      repos.push(repo);
      expected += repo.sizeOnDisk;
      continue;
    }
    const stillUsed = new Set(others.flatMap((v) => v.files.map((f) => f.blobPath)));
    for (const rev of mine) {
      snapshots.push(rev.snapshotPath);
      for (const ref of rev.refs) refs.push(path.join(repo.repoPath, "refs", ...ref.split("/")));
      for (const f of rev.files) {
        if (f.inSnapshot) {
          expected += f.sizeOnDisk;
          continue;
        }
        if (stillUsed.has(f.blobPath)) {
          shared.add(f.blobPath);
          continue;
        }
        if (!blobs.has(f.blobPath)) {
          blobs.set(f.blobPath, { path: f.blobPath, repoPath: repo.repoPath, size: f.sizeOnDisk });
          expected += f.sizeOnDisk;
        }
      }
    }
  }
  return { cacheDir: info.cacheDir, repos, snapshots, refs, blobs: [...blobs.values()], incomplete: [], sharedBlobs: [...shared].sort(), expectedFreedSize: expected, warnings: [...extraWarnings] };
}

/**
 * Remove some files of one revision (one model out of a snapshot that holds several, like `hf cache rm
 * hf://…/file`): their snapshot links, and the blobs no other file of any revision links to.
 */
export function planHfFilesDelete(info: HfCacheInfo, revision: HfCachedRevision, filePaths: ReadonlySet<string>): HfDeletePlan {
  const repo = info.repos.find((r) => r.revisions.includes(revision));
  if (!repo) throw new CortexError("REG_NOT_FOUND", `revision ${revision.commitHash} is not in the HF cache scan`);
  const going = revision.files.filter((f) => filePaths.has(f.filePath));
  const stillUsed = new Set(repo.revisions.flatMap((v) => v.files.filter((f) => !filePaths.has(f.filePath)).map((f) => f.blobPath)));
  const blobs = new Map<string, PlannedBlob>();
  const shared = new Set<string>();
  let expected = 0;
  for (const f of going) {
    if (f.inSnapshot) expected += f.sizeOnDisk;
    else if (stillUsed.has(f.blobPath)) shared.add(f.blobPath);
    else if (!blobs.has(f.blobPath)) {
      blobs.set(f.blobPath, { path: f.blobPath, repoPath: repo.repoPath, size: f.sizeOnDisk });
      expected += f.sizeOnDisk;
    }
  }
  return { cacheDir: info.cacheDir, repos: [], snapshots: [], pointers: going.map((f) => f.filePath), refs: [], blobs: [...blobs.values()], incomplete: [], sharedBlobs: [...shared].sort(), expectedFreedSize: expected, warnings: [] };
}

/** `hf cache prune`: every detached revision (no ref points to it) and every `.incomplete` file no download is writing. */
export function planHfCachePrune(info: HfCacheInfo, now = Date.now()): HfDeletePlan {
  const detached = new Set(info.repos.flatMap((r) => r.revisions.filter((v) => v.refs.length === 0)));
  const base = planHfCacheDelete(info, detached);
  const stale = info.incompleteFiles.filter((f) => !incompleteIsActive(info.cacheDir, path.basename(f.repoPath), f.path, now));
  return { ...base, incomplete: stale.map((f) => f.path), expectedFreedSize: base.expectedFreedSize + stale.reduce((s, f) => s + f.size, 0) };
}

/** Every blob lock a plan needs: each blob (and `.incomplete` file) of a repo going whole, each planned blob and `.incomplete`. */
function lockTargets(plan: HfDeletePlan, repoBlobs: ReadonlyMap<string, readonly string[]>): Map<string, { lock: string; blob: string }> {
  const out = new Map<string, { lock: string; blob: string }>();
  const add = (repoPath: string, file: string) => {
    const lock = blobLockPath(plan.cacheDir, path.basename(repoPath), incompleteEtag(file));
    if (!out.has(lock)) out.set(lock, { lock, blob: file });
  };
  for (const repo of plan.repos) for (const n of repoBlobs.get(repo.repoPath) ?? []) add(repo.repoPath, path.join(repo.repoPath, "blobs", n));
  for (const b of plan.blobs) add(b.repoPath, b.path);
  for (const p of plan.incomplete) add(path.dirname(path.dirname(p)), p);
  return out;
}

/**
 * Apply a plan in Python's order — repos, snapshots, refs, blobs last — so an interruption never leaves a ref to
 * a missing snapshot or a link to a missing blob. Every blob lock the plan touches (huggingface_hub's flock files)
 * is taken first and held until the end, so no download — cortexd's or Python's — loses a blob it is writing:
 * with `onLocked: "refuse"` (a delete the user aimed at these revisions) a lock held elsewhere deletes nothing
 * and fails with REG_IN_USE naming the blob; with "skip" (prune) what is locked is kept and reported. A blob is
 * unlinked only after checking again that no remaining snapshot links to it; a repo with a running download
 * loses its revisions but keeps its `.incomplete` files. Paths are checked to lie inside the cache; links are
 * never followed; lock files are never deleted.
 */
export async function executeHfCacheDelete(plan: HfDeletePlan, o: { onLocked?: "refuse" | "skip" } = {}): Promise<HfDeleteResult> {
  const roots = [plan.cacheDir];
  const deleted: string[] = [];
  const kept: string[] = [];
  const warnings = [...plan.warnings];
  let freed = 0;
  // Freed bytes count blob bytes, as Python's expected_freed_size does (ref files and folders are noise).
  const remove = async (p: string, what: string) => {
    try {
      await fs.lstat(p);
    } catch {
      warnings.push(`Couldn't delete ${what}: file not found (${p})`);
      return;
    }
    const bytes = await safeRemove(p, roots);
    if (what !== "ref") freed += bytes;
    deleted.push(p);
  };

  const repoBlobs = new Map<string, string[]>();
  for (const repo of plan.repos) repoBlobs.set(repo.repoPath, await fs.readdir(path.join(repo.repoPath, "blobs")).catch(() => [] as string[]));
  const releases: (() => void)[] = [];
  const busy = new Set<string>();
  try {
    for (const { lock, blob } of lockTargets(plan, repoBlobs).values()) {
      const release = tryBlobLock(lock);
      if (release) releases.push(release);
      else busy.add(blob);
    }
    if (busy.size > 0 && (o.onLocked ?? "refuse") === "refuse") {
      throw new CortexError("REG_IN_USE", `${[...busy].slice(0, 3).join(", ")}${busy.size > 3 ? ` and ${busy.size - 3} more` : ""} locked by a download in progress (huggingface_hub or a cortexd pull); nothing was deleted — try again when it has finished`);
    }

    const granularBlobs: PlannedBlob[] = [];
    for (const repo of plan.repos) {
      const names = repoBlobs.get(repo.repoPath) ?? [];
      const blobsDir = path.join(repo.repoPath, "blobs");
      // Locks were tried above (and are ours now where free): what is left to ask is a recent write.
      const active = names.filter((n) => busy.has(path.join(blobsDir, n)) || (n.endsWith(".incomplete") && writtenRecently(path.join(blobsDir, n))));
      if (active.length === 0) {
        await remove(repo.repoPath, "repo");
        continue;
      }
      // A download is writing into this repo: remove its revisions, keep what is in flight.
      for (const n of active.filter((x) => x.endsWith(".incomplete"))) kept.push(`${path.join(blobsDir, n)} (download in progress)`);
      for (const rev of repo.revisions) await remove(rev.snapshotPath, "snapshot");
      for (const rel of await listFilesRecursive(path.join(repo.repoPath, "refs")).catch(() => [] as string[])) await remove(path.join(repo.repoPath, "refs", ...rel.split("/")), "ref");
      for (const n of names) {
        if (n.includes(".incomplete") || n.endsWith(".parts.json")) continue;
        const p = path.join(blobsDir, n);
        const st = await fs.stat(p).catch(() => undefined);
        granularBlobs.push({ path: p, repoPath: repo.repoPath, size: st?.size ?? 0 });
      }
    }
    for (const s of plan.snapshots) await remove(s, "snapshot");
    for (const p of plan.pointers ?? []) {
      await remove(p, "snapshot file");
      const snap = path.join(plan.cacheDir, ...path.relative(plan.cacheDir, p).split(path.sep).slice(0, 3));
      await pruneEmptyDirs(path.dirname(p), snap);
    }
    for (const r of plan.refs) {
      await remove(r, "ref");
      // refs/refs/pr/1 leaves refs/refs/pr/ empty: remove empty folders up to refs/.
      const repoPath = path.join(plan.cacheDir, path.relative(plan.cacheDir, r).split(path.sep)[0]!);
      await pruneEmptyDirs(path.dirname(r), path.join(repoPath, "refs"));
    }
    for (const blob of [...plan.blobs, ...granularBlobs]) {
      if (busy.has(blob.path)) {
        kept.push(`${blob.path} (locked by a running download)`);
        continue;
      }
      if (await linkedFromSnapshots(blob.repoPath, blob.path)) {
        kept.push(`${blob.path} (a revision links to it again)`);
        continue;
      }
      const st = await fs.lstat(blob.path).catch(() => undefined);
      if (!st) {
        warnings.push(`Couldn't delete blob: file not found (${blob.path})`);
        continue;
      }
      await safeRemove(blob.path, roots);
      // A repo blob that links into the shared store frees nothing here: only the link goes.
      freed += st.isSymbolicLink() ? 0 : st.size;
      deleted.push(blob.path);
    }
    for (const p of plan.incomplete) {
      if (busy.has(p)) {
        kept.push(`${p} (locked by a running download)`);
        continue;
      }
      await remove(p, "incomplete file");
      await fs.rm(partsSidecarPath(path.join(path.dirname(p), incompleteEtag(p))), { force: true });
    }
  } finally {
    for (const release of releases) release();
  }
  for (const s of plan.sharedBlobs) kept.push(`${s} (used by another revision)`);
  return { freedBytes: freed, deletedPaths: deleted, keptBlobs: kept, warnings };
}

/** Whether any snapshot file of the repo links to `blob` right now. */
async function linkedFromSnapshots(repoPath: string, blob: string): Promise<boolean> {
  const snaps = path.join(repoPath, "snapshots");
  const commits = await fs.readdir(snaps).catch(() => [] as string[]);
  for (const c of commits) {
    const files = await listFilesRecursive(path.join(snaps, c)).catch(() => [] as string[]);
    for (const rel of files) {
      const p = path.join(snaps, c, ...rel.split("/"));
      const target = await fs.readlink(p).catch(() => undefined);
      if (target !== undefined && path.resolve(path.dirname(p), target) === blob) return true;
    }
  }
  return false;
}

import fs from "node:fs/promises";
import path from "node:path";
import type { Stats } from "node:fs";
import { CortexError } from "../../errors/cortex-error.js";
import { scanHfCache, type HfCacheInfo } from "../hf-cache/scan-hf-cache.js";
import { ggufDisplayName, identifyPath } from "../model-identity.js";
import type { HfOrigin, ModelCandidate, ModelFile, RootKind, StoreRoots } from "../model-types.js";
import { isInside } from "../safe-remove.js";
import { FINE_TUNED_MARKER, groupGgufs, hasConfigOnlyEvidence, hasFolderEvidence, hasPipelineEvidence, isTransient, type GgufGroup } from "./classify-files.js";

/** How deep a model folder may sit below a root. */
const MAX_DEPTH = 6;

export interface Discovery {
  readonly candidates: ModelCandidate[];
  /** Every folder the walk read (what the index watches for changes). */
  readonly dirs: ReadonlySet<string>;
  readonly warnings: string[];
  /** The HF cache scan it used (also what ScanHfCache answers). */
  readonly hfCache?: HfCacheInfo;
}

/**
 * Find every model in the roots by file-system evidence only (names, links, stats; no file is opened):
 * GGUF files (split parts grouped), folders with weights or adapters, and in the HF cache each snapshot of a
 * model repo. Links are followed only when they stay inside a known root.
 */
export async function discoverModels(roots: StoreRoots): Promise<Discovery> {
  const warnings: string[] = [];
  const candidates: ModelCandidate[] = [];
  const realRoots = await Promise.all([...roots.cortexDirs, roots.hfHubCache, ...roots.modelDirs].filter(Boolean).map((r) => fs.realpath(r).catch(() => path.resolve(r))));
  const dirs: { dir: string; root: RootKind }[] = [...roots.cortexDirs.map((dir) => ({ dir, root: "cortex" as const })), ...roots.modelDirs.map((dir) => ({ dir, root: "extra" as const }))];
  const dirsVisited = new Set<string>();
  const walker = new DirWalker(roots, realRoots, warnings, candidates, dirsVisited);
  const tasks: Promise<unknown>[] = dirs.map(({ dir }) => walker.visit(path.resolve(dir), 0));
  let hfCache: HfCacheInfo | undefined;
  if (roots.hfHubCache) {
    tasks.push(
      scanHfCache(roots.hfHubCache).then((info) => {
        hfCache = info;
        for (const d of info.dirs) dirsVisited.add(d);
        candidates.push(...hfCandidates(roots, info));
      }),
    );
  }
  await Promise.all(tasks);
  const seen = new Set<string>();
  const unique = candidates.filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
  unique.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { candidates: unique, dirs: dirsVisited, warnings, ...(hfCache ? { hfCache } : {}) };
}

/**
 * The one model at `modelPath` (a model folder, or a GGUF file — any split part), found the way a listing finds it.
 * @throws CortexError REG_NOT_FOUND when there is no model there; REG_OUTSIDE_ROOTS outside the roots.
 */
export async function discoverPath(roots: StoreRoots, modelPath: string): Promise<ModelCandidate> {
  const abs = path.resolve(modelPath);
  const target = identifyPath(roots, abs);
  const st = await fs.stat(abs).catch(() => undefined);
  if (!st) throw new CortexError("REG_NOT_FOUND", `${abs} does not exist`);
  let found: ModelCandidate[];
  if (target.root === "hf-cache") found = (await discoverModels(roots)).candidates;
  else {
    const realRoots = await Promise.all([...roots.cortexDirs, roots.hfHubCache, ...roots.modelDirs].filter(Boolean).map((r) => fs.realpath(r).catch(() => path.resolve(r))));
    found = [];
    const walker = new DirWalker(roots, realRoots, [], found);
    if (st.isDirectory()) await walker.folderModel(abs);
    else await walker.visit(path.dirname(abs), 0, true);
  }
  const hit = found.find((c) => c.id === target.id) ?? found.find((c) => c.paths.includes(abs));
  if (!hit) throw new CortexError("REG_NOT_FOUND", `${abs} is not a model (no GGUF, weights or adapter there)`);
  return hit;
}

interface Entry {
  name: string;
  full: string;
  isDir: boolean;
  stats?: Stats;
}

class DirWalker {
  constructor(
    private readonly roots: StoreRoots,
    private readonly realRoots: string[],
    private readonly warnings: string[],
    private readonly out: ModelCandidate[],
    private readonly visited: Set<string> = new Set(),
  ) {}

  /** Entries of a folder with links resolved — only those that stay inside a root. */
  private async entries(dir: string): Promise<Entry[]> {
    let dirents: import("node:fs").Dirent[];
    try {
      dirents = await fs.readdir(dir, { withFileTypes: true });
      this.visited.add(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.warnings.push(`${dir}: ${(err as Error).message}`);
      return [];
    }
    const out: Entry[] = [];
    await Promise.all(
      dirents.map(async (d) => {
        if (isTransient(d.name)) return;
        const full = path.join(dir, d.name);
        if (d.isDirectory()) return void out.push({ name: d.name, full, isDir: true });
        if (d.isFile()) return void out.push({ name: d.name, full, isDir: false });
        if (!d.isSymbolicLink()) return;
        const real = await fs.realpath(full).catch(() => undefined);
        if (!real) return void this.warnings.push(`${full}: broken link`);
        if (!this.realRoots.some((r) => isInside(r, real))) return void this.warnings.push(`${full} links outside cortexd's roots (${real}); not followed`);
        const st = await fs.stat(full).catch(() => undefined);
        if (st) out.push({ name: d.name, full, isDir: st.isDirectory(), stats: st });
      }),
    );
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** @param filesOnly list this folder's GGUFs only (no folder model, no recursion) */
  async visit(dir: string, depth: number, filesOnly = false): Promise<void> {
    const entries = await this.entries(dir);
    const files = entries.filter((e) => !e.isDir);
    if (depth > 0 && !filesOnly && isModelFolder(files.map((f) => f.name), entries.filter((e) => e.isDir).map((e) => e.name))) return this.folderModel(dir);
    const marker = files.find((f) => f.name === FINE_TUNED_MARKER)?.full;
    const stats = await statAll(files);
    for (const g of groupGgufs(files.map((f) => f.name))) this.pushGguf(dir, g, stats, marker);
    if (depth >= MAX_DEPTH || filesOnly) return;
    await Promise.all(entries.filter((e) => e.isDir).map((e) => this.visit(e.full, depth + 1)));
  }

  /** A folder model: every file below it, except GGUFs, which are models of their own. */
  async folderModel(dir: string): Promise<void> {
    const all: Entry[] = [];
    const walk = async (sub: string, rel: string, depth: number) => {
      for (const e of await this.entries(sub)) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDir) {
          if (depth < MAX_DEPTH) await walk(e.full, r, depth + 1);
        } else all.push({ ...e, name: r });
      }
    };
    await walk(dir, "", 0);
    const stats = await statAll(all);
    const marker = all.find((f) => f.name === FINE_TUNED_MARKER)?.full;
    const ggufs = groupGgufs(all.map((f) => f.name));
    const inGguf = new Set(ggufs.flatMap((g) => g.parts));
    for (const g of ggufs) this.pushGguf(dir, g, stats, marker);
    const files = all.filter((f) => !inGguf.has(f.name)).flatMap((f) => fileOf(f.full, f.name, stats.get(f.full)));
    const id = identifyPath(this.roots, dir);
    const name = path.relative(id.rootDir, dir).split(path.sep).join("/");
    this.out.push(candidate({ id, kind: "folder", name, primaryPath: dir, paths: [dir], files, marker }));
  }

  private pushGguf(dir: string, g: GgufGroup, stats: Map<string, Stats | undefined>, marker: string | undefined): void {
    const primaryPath = path.join(dir, ...g.primary.split("/"));
    const id = identifyPath(this.roots, primaryPath);
    const name = ggufDisplayName(path.relative(id.rootDir, primaryPath).split(path.sep).join("/"));
    const paths = g.parts.map((p) => path.join(dir, ...p.split("/")));
    const files = paths.flatMap((p, i) => fileOf(p, path.basename(g.parts[i]!), stats.get(p)));
    this.out.push(candidate({ id, kind: "gguf", name, primaryPath, paths, files, marker, missing: g.missing }));
  }
}

/** A folder is one model when it has weights or an adapter, is a multi-component pipeline, or has a config.json and no weights yet (no subfolders). */
function isModelFolder(fileNames: readonly string[], dirNames: readonly string[]): boolean {
  return hasFolderEvidence(fileNames) || hasPipelineEvidence(fileNames, dirNames) || (dirNames.length === 0 && hasConfigOnlyEvidence(fileNames));
}

async function statAll(entries: readonly Entry[]): Promise<Map<string, Stats | undefined>> {
  const out = new Map<string, Stats | undefined>();
  await Promise.all(entries.map(async (e) => out.set(e.full, e.stats ?? (await fs.stat(e.full).catch(() => undefined)))));
  return out;
}

function fileOf(full: string, rel: string, st: Stats | undefined): ModelFile[] {
  return st ? [{ path: full, rel, size: st.size, mtimeMs: st.mtimeMs, key: `${st.dev}:${st.ino}` }] : [];
}

function candidate(o: {
  id: { identity: string; id: string; root: RootKind };
  kind: "gguf" | "folder";
  name: string;
  primaryPath: string;
  paths: string[];
  files: ModelFile[];
  marker?: string | undefined;
  missing?: readonly string[];
  hf?: HfOrigin;
}): ModelCandidate {
  const fingerprint = [o.missing?.join(",") ?? "", o.marker ?? "", ...o.files.map((f) => `${f.rel}|${f.size}|${f.mtimeMs}|${f.key}`)].join("\n");
  return {
    id: o.id.id,
    identity: o.id.identity,
    kind: o.kind,
    name: o.name,
    root: o.id.root,
    primaryPath: o.primaryPath,
    paths: o.paths,
    files: o.files,
    fingerprint,
    ...(o.hf ? { hf: o.hf } : {}),
    ...(o.missing?.length ? { missingParts: o.missing } : {}),
    ...(o.marker ? { fineTunedMarker: o.marker } : {}),
  };
}

/** Each snapshot of a model repo: one folder model when its top level has weights or it is a pipeline (or has a config and nothing else yet), plus every GGUF in it. */
function hfCandidates(roots: StoreRoots, info: HfCacheInfo): ModelCandidate[] {
  const out: ModelCandidate[] = [];
  for (const repo of info.repos) {
    if (repo.repoType !== "model") continue;
    for (const rev of repo.revisions) {
      const hf: HfOrigin = { repo: repo.repoId, repoType: repo.repoType, commit: rev.commitHash, refs: rev.refs, repoPath: repo.repoPath };
      const files = new Map<string, ModelFile>(
        rev.files.map((f) => [f.fileName, { path: f.filePath, rel: f.fileName, size: f.sizeOnDisk, mtimeMs: f.blobLastModified, key: f.blobKey, ...(f.inSnapshot ? {} : { etag: path.basename(f.blobPath) }) }]),
      );
      const rels = [...files.keys()].filter((r) => !isTransient(path.posix.basename(r)));
      const marker = files.get(FINE_TUNED_MARKER)?.path;
      const ggufs = groupGgufs(rels);
      const inGguf = new Set(ggufs.flatMap((g) => g.parts));
      for (const g of ggufs) {
        const primaryPath = path.join(rev.snapshotPath, ...g.primary.split("/"));
        out.push(candidate({ id: identifyPath(roots, primaryPath), kind: "gguf", name: `${repo.repoId}/${ggufDisplayName(g.primary)}`, primaryPath, paths: g.parts.map((p) => path.join(rev.snapshotPath, ...p.split("/"))), files: g.parts.map((p) => files.get(p)!), marker, missing: g.missing, hf }));
      }
      if (!isModelFolder(rels.filter((r) => !r.includes("/")), [...new Set(rels.filter((r) => r.includes("/")).map((r) => r.slice(0, r.indexOf("/"))))])) continue;
      const folderFiles = rels.filter((r) => !inGguf.has(r)).map((r) => files.get(r)!);
      out.push(candidate({ id: identifyPath(roots, rev.snapshotPath), kind: "folder", name: repo.repoId, primaryPath: rev.snapshotPath, paths: [rev.snapshotPath], files: folderFiles, marker, hf }));
    }
  }
  return out;
}

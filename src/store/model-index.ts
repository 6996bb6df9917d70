import path from "node:path";
import { errorMessage } from "../errors/cortex-error.js";
import { discoverModels, type Discovery } from "./discover/discover-models.js";
import { settleEvents, TreeWatcher } from "./tree-watcher.js";
import type { HfCacheInfo } from "./hf-cache/scan-hf-cache.js";
import { defaultContextSize, DEFAULT_LOAD_SETTINGS, estimateLoad, type LoadSettings } from "./inspect/estimate-load.js";
import { snapshotDownloading } from "./hf-cache/blob-activity.js";
import { folderBrokenFacts, inspectFolder } from "./inspect/inspect-folder.js";
import { ggufBrokenFacts, inspectGguf } from "./inspect/inspect-gguf.js";
import type { Manifest } from "./manifest/manifest-schema.js";
import type { ManifestStore } from "./manifest/manifest-store.js";
import type { ModelCandidate, ModelFacts, ModelRecord, StoreRoots } from "./model-types.js";

/** Headers read at once on a cold listing. */
const INSPECT_CONCURRENCY = 32;

export interface ModelSnapshot {
  readonly models: readonly ModelRecord[];
  readonly byId: ReadonlyMap<string, ModelRecord>;
  readonly warnings: readonly string[];
  readonly hfCache: HfCacheInfo | undefined;
  readonly manifests: ReadonlyMap<string, Manifest>;
}

/** Facts for one candidate: a parse failure becomes BROKEN with the reason, never an exception. */
export async function inspectCandidate(c: ModelCandidate): Promise<ModelFacts> {
  try {
    return c.kind === "gguf" ? await inspectGguf(c) : await inspectFolder(c);
  } catch (err) {
    const reason = errorMessage(err);
    return c.kind === "gguf" ? ggufBrokenFacts(c, reason) : folderBrokenFacts(c, reason);
  }
}

/**
 * What loading the model with the pool's default settings would take (ModelInfo estimated_memory_bytes): the
 * pool's own estimateLoad at the context a plain LoadModel uses. 0 = unknown (broken, no weights, or a GGUF
 * whose metadata node-llama-cpp cannot read — the pool refuses to load that one). An adapter is its weights.
 */
export async function defaultLoadEstimate(c: ModelCandidate, facts: ModelFacts, defaults: LoadSettings): Promise<number> {
  if (facts.brokenReason || facts.weightsBytes === 0) return 0;
  if (facts.format === "LORA_ADAPTER") return facts.weightsBytes;
  const settings = { contextSize: defaultContextSize(facts.contextLength, defaults), parallel: defaults.parallel };
  if (c.kind === "gguf") return (await estimateLoad({ gguf: c.paths[0]! }, settings).catch(() => undefined))?.totalBytes ?? 0;
  return (await estimateLoad({ weightsBytes: facts.servedWeightsBytes ?? facts.weightsBytes, kv: facts.kv }, settings)).totalBytes;
}

/** A watched listing older than this is re-walked in the background, in case an event was missed. */
const REVALIDATE_MS = 30_000;

interface Discovered {
  readonly found: Discovery;
  readonly facts: ModelFacts[];
  readonly estimates: number[];
  readonly at: number;
}

/**
 * The store's view of every model. Discovery walks the roots (names and stats only); header facts are cached per
 * model and re-read only when a file's size, mtime or identity changed; manifests are overlaid (tags, last use,
 * provenance). With watching on, a warm listing skips the walk while no file-system event arrived since the
 * last one (and re-walks in the background every 30 s in case one was missed); without it, every listing walks.
 */
export class ModelIndex {
  private readonly facts = new Map<string, { fingerprint: string; facts: ModelFacts; estimate: number }>();
  private discovered: Discovered | undefined;
  private records: { discovered: Discovered; manifests: ReadonlyMap<string, Manifest>; snap: ModelSnapshot } | undefined;
  private rediscovering: Promise<Discovered> | undefined;
  private dirty = true;
  private readonly watcher: TreeWatcher | undefined;
  /** The pool's default load settings (from the daemon at boot): what estimated_memory_bytes assumes. */
  private readonly load: LoadSettings;

  constructor(
    private readonly roots: StoreRoots,
    private readonly manifests: ManifestStore,
    options: { watch?: boolean; load?: LoadSettings } = {},
  ) {
    this.load = options.load ?? DEFAULT_LOAD_SETTINGS;
    if (options.watch ?? true) {
      const dirs = [...roots.cortexDirs, roots.hfHubCache, ...roots.modelDirs].filter(Boolean).map((d) => path.resolve(d));
      this.watcher = new TreeWatcher(dirs, () => (this.dirty = true));
    }
  }

  async snapshot(): Promise<ModelSnapshot> {
    let discovered = this.discovered;
    if (this.watcher) {
      await settleEvents();
      if (!this.watcher.complete || this.dirty || !discovered) discovered = await this.rediscover();
      else if (Date.now() - discovered.at > REVALIDATE_MS) void this.rediscover().catch(() => undefined);
    } else {
      discovered = await this.rediscover();
    }
    const manifestSet = await this.manifests.all();
    const r = this.records;
    if (r && r.discovered === discovered && r.manifests === manifestSet.byId) return r.snap;
    const models = discovered.found.candidates.map((c, i) => toRecord(c, discovered.facts[i]!, manifestSet.byId.get(c.id), discovered.estimates[i]!));
    markFusedAdapters(models);
    const warnings = [...discovered.found.warnings, ...manifestSet.problems.map((p) => (p.ok ? "" : `${p.file}: ${p.reason}`))];
    const snap: ModelSnapshot = { models, byId: new Map(models.map((m) => [m.id, m])), warnings, hfCache: discovered.found.hfCache, manifests: manifestSet.byId };
    this.records = { discovered, manifests: manifestSet.byId, snap };
    return snap;
  }

  /** After a mutation (or for all): the next snapshot walks again; facts of these ids are re-read. */
  invalidate(ids?: readonly string[]): void {
    this.dirty = true;
    if (ids) for (const id of ids) this.facts.delete(id);
  }

  close(): void {
    this.watcher?.close();
  }

  /** Concurrent callers share one walk. Events during the walk mark the next snapshot dirty again. */
  private rediscover(): Promise<Discovered> {
    this.rediscovering ??= (async () => {
      this.dirty = false;
      try {
        const found = await discoverModels(this.roots);
        this.watcher?.sync(found.dirs);
        const { facts, estimates } = await this.factsFor(found.candidates);
        const live = new Set(found.candidates.map((c) => c.id));
        for (const id of this.facts.keys()) if (!live.has(id)) this.facts.delete(id);
        this.discovered = { found, facts, estimates, at: Date.now() };
        return this.discovered;
      } catch (err) {
        this.dirty = true;
        throw err;
      }
    })().finally(() => (this.rediscovering = undefined));
    return this.rediscovering;
  }

  /** Facts and the default-load estimate, both cached per file identity (the GGUF estimate reads the tensor table). */
  private async factsFor(candidates: readonly ModelCandidate[]): Promise<{ facts: ModelFacts[]; estimates: number[] }> {
    const facts: ModelFacts[] = new Array(candidates.length);
    const estimates: number[] = new Array(candidates.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < candidates.length; i = next++) {
        const c = candidates[i]!;
        let cached = this.facts.get(c.id);
        if (!cached || cached.fingerprint !== c.fingerprint) {
          const f = await inspectCandidate(c);
          cached = { fingerprint: c.fingerprint, facts: f, estimate: await defaultLoadEstimate(c, f, this.load) };
          this.facts.set(c.id, cached);
        }
        facts[i] = cached.facts;
        estimates[i] = cached.estimate;
      }
    };
    await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, candidates.length) }, worker));
    return { facts, estimates };
  }
}

/** Candidate + facts + manifest (+ the default-load estimate: defaultLoadEstimate) → the listed model. */
export function toRecord(c: ModelCandidate, facts: ModelFacts, manifest: Manifest | undefined, estimatedMemoryBytes: number): ModelRecord {
  const distinct = new Map(c.files.map((f) => [f.key, f.size]));
  let size = 0;
  for (const v of distinct.values()) size += v;
  const oldest = c.files.reduce((m, f) => Math.min(m, f.mtimeMs), Number.POSITIVE_INFINITY);
  const sha256 = new Map<string, string>();
  for (const f of manifest?.provenance.files ?? []) if (f.sha256) sha256.set(f.path, f.sha256);
  const lora = facts.lora ?? (manifest?.lora ? { ...manifest.lora } : undefined);
  const merged: ModelFacts = lora ? { ...facts, lora } : facts;
  return {
    id: c.id,
    identity: c.identity,
    name: c.name,
    root: c.root,
    kind: c.kind,
    paths: c.paths,
    files: c.files,
    facts: merged,
    sizeBytes: size,
    estimatedMemoryBytes,
    sourceRepo: c.hf?.repo ?? manifest?.provenance.sourceRepo ?? "",
    sourceRevision: c.hf?.commit ?? manifest?.provenance.revision ?? "",
    tags: manifest?.tags ?? [],
    lastUsedAt: manifest?.lastUsedAt ?? "",
    createdAt: manifest?.createdAt || (Number.isFinite(oldest) ? new Date(oldest).toISOString() : ""),
    ...(c.hf ? { hf: c.hf } : {}),
    sha256,
    ...(c.hf && facts.brokenReason && snapshotDownloading(snapshotOf(c.primaryPath, c.hf.repoPath)) ? { downloading: true } : {}),
  };
}

/** An adapter is "fused" once a fine-tuned model's marker names it (by path, id or name). */
function markFusedAdapters(models: ModelRecord[]): void {
  const fusedFrom = new Set(models.flatMap((m) => (m.facts.lora?.fused && m.facts.lora.adapter ? [m.facts.lora.adapter] : [])));
  if (fusedFrom.size === 0) return;
  for (let i = 0; i < models.length; i++) {
    const m = models[i]!;
    const l = m.facts.lora;
    if (!l || l.fused || m.facts.format !== "LORA_ADAPTER") continue;
    if (fusedFrom.has(m.id) || fusedFrom.has(m.name) || m.paths.some((p) => fusedFrom.has(p))) models[i] = { ...m, facts: { ...m.facts, lora: { ...l, fused: true } } };
  }
}

/** The snapshot folder (`<repo>/snapshots/<commit>`) that holds `p`. */
function snapshotOf(p: string, repoPath: string): string {
  const rel = path.relative(path.join(repoPath, "snapshots"), p).split(path.sep);
  return path.join(repoPath, "snapshots", rel[0] ?? "");
}

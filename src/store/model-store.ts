import path from "node:path";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { hasCleanFilter, heldModel, planClean, type CleanFilter, type CleanPlan } from "./clean-plan.js";
import { deleteModelFiles, type DeleteOutcome } from "./delete-model.js";
import { executeHfCacheDelete, planHfCacheDelete, planHfCachePrune, resolveHfTargets, type HfDeletePlan, type HfDeleteResult } from "./hf-cache/delete-hf-cache.js";
import { scanHfCache, type HfCacheInfo } from "./hf-cache/scan-hf-cache.js";
import { buildManifest } from "./manifest/build-manifest.js";
import { FileHasher } from "./manifest/file-hasher.js";
import { TAG_RE, type Manifest } from "./manifest/manifest-schema.js";
import { ManifestStore } from "./manifest/manifest-store.js";
import { findOrphans, syncManifests, type SyncResult } from "./manifest/sync-manifests.js";
import { ModelIndex, type ModelSnapshot } from "./model-index.js";
import { modelHasPath, noHolders, type ModelHolders } from "./model-holders.js";
import { MAX_PAGE, queryModels, type ModelPage, type ModelQuery } from "./model-query.js";
import type { ModelRecord, StoreRoots } from "./model-types.js";
import type { LoadSettings } from "./inspect/estimate-load.js";
import { resolveModelRef } from "./resolve-model-ref.js";
import { modelForEntry, type CatalogEntry, type ModelCatalog } from "./model-catalog.js";
import { UsageRecorder } from "./usage-recorder.js";

export interface ModelStoreOptions {
  /** Short names (flux-schnell, phi-3-mini-4k:4bit) every model reference may use. */
  catalog?: ModelCatalog;
  roots: StoreRoots;
  /** Who holds a model (inference pool, jobs); asked before any delete. @default nobody */
  holders?: ModelHolders;
  /**
   * The inference pool's default load settings (the daemon passes the pool's own at boot): ModelInfo's
   * estimated_memory_bytes is the pool's estimate at these. @default DEFAULT_LOAD_SETTINGS
   */
  load?: LoadSettings;
  /** Watch the roots so warm listings skip the walk. @default true */
  watch?: boolean;
  /** Last-use marks are written this long after the first of a batch (or before any read of last use). @default 2000 */
  usageFlushMs?: number;
}

/** Tags: validated, deduplicated. */
function checkTags(tags: readonly string[]): string[] {
  if (tags.length === 0) throw new CortexError("REQ_INVALID_ARGUMENT", "tags: give at least one tag");
  for (const t of tags) if (!TAG_RE.test(t)) throw new CortexError("REQ_INVALID_ARGUMENT", `tag "${t}" must start with a letter or digit and use only letters, digits, ".", "_", ":" or "-" (at most 64)`);
  return [...new Set(tags)];
}

/**
 * The model store: lists what is on disk (cortexd's folders, extra folders, the HF cache), tags and deletes
 * models, keeps manifests, plans and applies cleanup, and manages the HF cache like `hf cache`. Mutations run
 * one at a time; reads share one scan.
 */
export class ModelStore {
  readonly manifests: ManifestStore;
  private readonly index: ModelIndex;
  private readonly holders: ModelHolders;
  private readonly usage: UsageRecorder;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly options: ModelStoreOptions) {
    this.manifests = new ManifestStore(options.roots.manifests);
    this.index = new ModelIndex(options.roots, this.manifests, { watch: options.watch ?? true, ...(options.load ? { load: options.load } : {}) });
    this.holders = options.holders ?? noHolders;
    this.usage = new UsageRecorder((marks) => this.exclusive(() => this.writeUsage(marks)), options.usageFlushMs ?? 2000);
  }

  /** Write pending last-use marks, stop watching the roots. */
  async close(): Promise<void> {
    await this.usage.close().catch(() => undefined);
    this.index.close();
  }

  /**
   * A model was used (loaded, generated with, read by a conversion): `modelPath` is any of its paths, a path
   * inside its folder, or the real path behind them. Cheap and synchronous; the manifest is written in a batch.
   */
  markUsed(modelPath: string, at = Date.now()): void {
    this.usage.mark(modelPath, at);
  }

  /** Pending last-use marks → each model's manifest (lastUsedAt only moves forward). */
  private async writeUsage(marks: ReadonlyMap<string, Date>): Promise<void> {
    const snap = await this.index.snapshot();
    for (const m of snap.models) {
      let at: Date | undefined;
      for (const [p, when] of marks) if ((!at || when > at) && modelHasPath(m.paths, p)) at = when;
      if (!at) continue;
      const iso = at.toISOString();
      if ((snap.manifests.get(m.id)?.lastUsedAt ?? "") >= iso) continue;
      await this.manifests.update(m.id, (cur) => (cur && cur.lastUsedAt >= iso ? cur : { ...(cur ?? buildManifest(m, undefined, { now: at })), lastUsedAt: iso }));
    }
  }

  get roots(): StoreRoots {
    return this.options.roots;
  }

  /** One mutation at a time (deletes, tags, syncs, cleanups). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  snapshot(): Promise<ModelSnapshot> {
    return this.index.snapshot();
  }

  async list(q: ModelQuery = {}): Promise<ModelPage & { warnings: readonly string[] }> {
    await this.usage.flush();
    const snap = await this.index.snapshot();
    return { ...queryModels(snap.models, q), warnings: snap.warnings };
  }

  /** Every model whose id or name matches `glob`, all pages. */
  async matching(glob: string): Promise<ModelRecord[]> {
    const out: ModelRecord[] = [];
    let pageToken = "";
    do {
      const page = await this.list({ nameGlob: glob, pageSize: MAX_PAGE, ...(pageToken ? { pageToken } : {}) });
      out.push(...page.models);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  async get(ref: string): Promise<ModelRecord> {
    await this.usage.flush();
    return this.resolve((await this.index.snapshot()).models, ref);
  }

  /** The short names models may be called by (built-in seeds + config aliases). */
  catalogEntries(): CatalogEntry[] {
    return this.options.catalog?.entries() ?? [];
  }

  /**
   * A model reference (resolveModelRef's forms), or a catalog short name: the model pulled from its repo.
   * @throws CortexError REG_NOT_FOUND, listing close short names when the reference looks like one
   */
  private resolve(models: readonly ModelRecord[], ref: string): ModelRecord {
    try {
      return resolveModelRef(models, ref);
    } catch (err) {
      const catalog = this.options.catalog;
      if (!catalog || !isCortexError(err) || err.code !== "REG_NOT_FOUND") throw err;
      const entry = catalog.lookup(ref);
      if (entry) return modelForEntry(models, entry);
      const close = ref.includes("/") || path.isAbsolute(ref) ? [] : catalog.closeMatches(ref);
      if (close.length) throw new CortexError("REG_NOT_FOUND", `${err.message}; close short names: ${close.join(", ")}`);
      throw err;
    }
  }

  /**
   * Delete one model after asking its holders.
   * @throws CortexError REG_IN_USE naming the holders; REG_SHARED_CACHE; REG_NOT_FOUND.
   */
  delete(ref: string, o: { includeHfCache?: boolean } = {}): Promise<DeleteOutcome> {
    return this.exclusive(async () => {
      const snap = await this.index.snapshot();
      const model = this.resolve(snap.models, ref);
      const res = await this.deleteOne(model, snap, o.includeHfCache ?? false);
      this.index.invalidate();
      return res;
    });
  }

  private async deleteOne(model: ModelRecord, snap: ModelSnapshot, includeHfCache: boolean, gone = new Set<string>()): Promise<DeleteOutcome> {
    const who = await this.holders(heldModel(model));
    if (who.length) throw new CortexError("REG_IN_USE", `${model.name} (${model.id}) is in use: ${who.join("; ")}`);
    const res = await deleteModelFiles(model, { roots: this.roots, others: snap.models.filter((m) => !gone.has(m.id)), includeHfCache });
    gone.add(model.id);
    await this.manifests.remove(model.id);
    return res;
  }

  tag(ref: string, tags: readonly string[]): Promise<ModelRecord> {
    const add = checkTags(tags);
    return this.retag(ref, (cur) => [...new Set([...cur, ...add])]);
  }

  untag(ref: string, tags: readonly string[]): Promise<ModelRecord> {
    const drop = new Set(checkTags(tags));
    return this.retag(ref, (cur) => cur.filter((t) => !drop.has(t)));
  }

  private retag(ref: string, fn: (current: readonly string[]) => string[]): Promise<ModelRecord> {
    return this.exclusive(async () => {
      const model = this.resolve((await this.index.snapshot()).models, ref);
      await this.manifests.update(model.id, (cur) => ({ ...buildManifest(model, cur), tags: fn(cur?.tags ?? []) }));
      return resolveModelRef((await this.index.snapshot()).models, model.id);
    });
  }

  /** Write manifests (hashing files off the event loop) for all models or the ones named. */
  sync(o: { models?: readonly string[]; fast?: boolean; pruneOrphans?: boolean } = {}): Promise<SyncResult> {
    return this.exclusive(async () => {
      const snap = await this.index.snapshot();
      const chosen = o.models?.length ? o.models.map((r) => this.resolve(snap.models, r)) : snap.models;
      const hasher = new FileHasher();
      try {
        const res = await syncManifests(chosen, snap.manifests, this.manifests, { hasher, fast: o.fast ?? false, pruneOrphans: false });
        if (o.models?.length && !o.pruneOrphans) return res;
        const { orphans } = await findOrphans(snap.models, snap.manifests, this.manifests, o.pruneOrphans ?? false);
        return { ...res, orphans };
      } finally {
        await hasher.close();
      }
    });
  }

  /** Every manifest, orphans marked. */
  async listManifests(): Promise<{ manifest: Manifest; orphan: boolean; file: string }[]> {
    const snap = await this.index.snapshot();
    const { orphans } = await findOrphans(snap.models, snap.manifests, this.manifests, false);
    const orphanIds = new Set(orphans.map((m) => m.id));
    return [...snap.manifests.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((manifest) => ({ manifest, orphan: orphanIds.has(manifest.id), file: path.join(this.manifests.dir, `${manifest.id}.manifest.json`) }));
  }

  async previewClean(f: CleanFilter): Promise<CleanPlan> {
    await this.usage.flush();
    return planClean((await this.index.snapshot()).models, f, this.holders);
  }

  /**
   * Delete what previewClean selects with the same filter. With `expectToken` (the preview's token) nothing is
   * deleted when the selection changed. A model that became busy in between is skipped, not forced.
   * @throws CortexError REQ_INVALID_ARGUMENT without any filter; REG_CHANGED on a token mismatch.
   */
  async applyClean(f: CleanFilter, expectToken?: string): Promise<CleanPlan & { freedBytes: number; deleted: ModelRecord[]; failed: string[] }> {
    if (!hasCleanFilter(f)) throw new CortexError("REQ_INVALID_ARGUMENT", "clean apply needs at least one filter (tags, quantization, bits, format, older than, larger than)");
    // Uses recorded up to now count: a model used since the preview changes the plan's token. (Flushed before
    // the exclusive section: the write itself takes that section.)
    await this.usage.flush();
    return this.exclusive(async () => {
      const snap = await this.index.snapshot();
      const plan = await planClean(snap.models, f, this.holders);
      if (expectToken && expectToken !== plan.token) throw new CortexError("REG_CHANGED", `the models matching this cleanup changed since the preview (token ${expectToken}, now ${plan.token}); run the preview again`);
      let freed = 0;
      const deleted: ModelRecord[] = [];
      const failed: string[] = [];
      const gone = new Set<string>();
      for (const c of plan.candidates) {
        try {
          freed += (await this.deleteOne(c.model, snap, true, gone)).bytesFreed;
          deleted.push(c.model);
        } catch (err) {
          failed.push(`${c.model.name} (${c.model.id}): ${(err as Error).message}`);
        }
      }
      this.index.invalidate();
      return { ...plan, freedBytes: freed, deleted, failed };
    });
  }

  /** `hf cache scan` of the configured cache. */
  scanHfCache(): Promise<HfCacheInfo> {
    return scanHfCache(this.roots.hfHubCache);
  }

  /** `hf cache delete` (targets) or `hf cache prune`; a dry run only plans. */
  deleteHfCache(targets: readonly string[], o: { dryRun?: boolean; prune?: boolean } = {}): Promise<{ plan: HfDeletePlan; result?: HfDeleteResult }> {
    if (targets.length === 0 && !o.prune) throw new CortexError("REQ_INVALID_ARGUMENT", "targets: name at least one repo (org/name or org/name@revision), or prune");
    return this.exclusive(async () => {
      const info = await scanHfCache(this.roots.hfHubCache);
      let plan: HfDeletePlan;
      if (o.prune) plan = planHfCachePrune(info);
      else {
        const { revisions, warnings } = resolveHfTargets(info, targets);
        plan = planHfCacheDelete(info, revisions, warnings);
      }
      if (o.dryRun) return { plan };
      const snap = await this.index.snapshot();
      const going = new Set([...plan.repos.map((r) => r.repoPath), ...plan.snapshots]);
      for (const m of snap.models) {
        if (m.hf && (going.has(m.hf.repoPath) || going.has(path.join(m.hf.repoPath, "snapshots", m.hf.commit)))) {
          const who = await this.holders(heldModel(m));
          if (who.length) throw new CortexError("REG_IN_USE", `${m.name}@${m.hf.commit.slice(0, 8)} (${m.id}) is in use: ${who.join("; ")}`);
        }
      }
      // A prune skips what a download has locked; a delete of named revisions refuses rather than half-do it.
      const result = await executeHfCacheDelete(plan, { onLocked: o.prune ? "skip" : "refuse" });
      this.index.invalidate();
      return { plan, result };
    });
  }
}

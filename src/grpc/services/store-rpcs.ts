import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import type { CleanFilter } from "../../store/clean-plan.js";
import type { ModelStore } from "../../store/model-store.js";
import type { CleanRequest__Output } from "../generated/cortex/v1/CleanRequest.js";
import type { ModelServiceHandlers } from "../generated/cortex/v1/ModelService.js";
import { requireString, unary } from "../handlers.js";
import { cleanCandidate, hfCacheView, manifestSummary, modelInfo, parseFormats, parseQuantizations, parseWeightBits } from "./model-view.js";

function cleanFilter(r: CleanRequest__Output): CleanFilter {
  return {
    tags: r.tags ?? [],
    quantizations: parseQuantizations(r.quantizations),
    bits: parseWeightBits(r.bits),
    formats: parseFormats(r.formats),
    olderThanSeconds: Number(r.older_than_seconds) || 0,
    largerThanBytes: Number(r.larger_than_bytes) || 0,
    includeHfCache: Boolean(r.include_hf_cache),
    includeModelDirs: Boolean(r.include_model_dirs),
  };
}

/** The model store's RPCs of ModelService: listing, tags, deletion, manifests, cleanup, the HF cache. */
export type StoreRpcs = Pick<ModelServiceHandlers, "ListModels" | "GetModel" | "DeleteModel" | "TagModel" | "UntagModel" | "SyncManifests" | "ListManifests" | "PreviewClean" | "ApplyClean" | "ScanHfCache" | "DeleteHfCache" | "ListCatalog">;

export function createStoreRpcs(store: ModelStore): StoreRpcs {
  return {
    ListCatalog: unary(async () => ({ entries: store.catalogEntries().map((e) => ({ name: e.name, repo: e.repo, revision: e.revision, include: [...e.include], exclude: [...e.exclude], description: e.description, source: e.source })) })),
    ListModels: unary(async (req) => {
      const page = await store.list({
        formats: parseFormats(req.formats),
        quantizations: parseQuantizations(req.quantizations),
        bits: parseWeightBits(req.bits),
        tags: req.tags ?? [],
        ...(req.name_glob ? { nameGlob: req.name_glob } : {}),
        ...(req.sort ? { sort: req.sort } : {}),
        pageSize: req.page_size,
        ...(req.page_token ? { pageToken: req.page_token } : {}),
        excludeBroken: Boolean(req.exclude_broken),
      });
      return { models: page.models.map((m) => modelInfo(m, Boolean(req.include_files))), next_page_token: page.nextPageToken, total: page.total, total_size_bytes: page.totalSizeBytes, warnings: [...page.warnings] };
    }),
    GetModel: unary(async (req) => ({ model: modelInfo(await store.get(requireString(req, "id"))) })),
    DeleteModel: unary(async (req) => {
      const r = await store.delete(requireString(req, "id"), { includeHfCache: Boolean(req.include_hf_cache) });
      return { bytes_freed: r.bytesFreed, deleted_paths: r.deletedPaths, kept_paths: r.keptPaths };
    }),
    TagModel: unary(async (req) => ({ model: modelInfo(await store.tag(requireString(req, "id"), req.tags ?? [])) })),
    UntagModel: unary(async (req) => ({ model: modelInfo(await store.untag(requireString(req, "id"), req.tags ?? [])) })),
    SyncManifests: unary(async (req) => {
      const r = await store.sync({ models: req.model_ids ?? [], fast: Boolean(req.fast), pruneOrphans: Boolean(req.prune_orphans) });
      const file = (id: string) => path.join(store.manifests.dir, `${id}.manifest.json`);
      return { written: r.written.map((m) => manifestSummary(m, file(m.id), false)), orphans: r.orphans.map((m) => manifestSummary(m, file(m.id), true)), warnings: r.warnings };
    }),
    ListManifests: unary(async (req) => {
      let all = await store.listManifests();
      if (req.model_ids?.length) {
        const ids = new Set<string>();
        for (const ref of req.model_ids) {
          const direct = all.find((x) => x.manifest.id === ref || x.manifest.name === ref);
          ids.add(direct ? direct.manifest.id : (await store.get(ref)).id);
        }
        all = all.filter((x) => ids.has(x.manifest.id));
        if (all.length === 0) throw new CortexError("REG_NOT_FOUND", `no manifest for ${req.model_ids.join(", ")}; \`cortex manifest sync\` writes them`);
      }
      return { manifests: all.map((x) => manifestSummary(x.manifest, x.file, x.orphan)) };
    }),
    PreviewClean: unary(async (req) => {
      const plan = await store.previewClean(cleanFilter(req));
      return { candidates: plan.candidates.map(cleanCandidate), skipped: plan.skipped.map(cleanCandidate), reclaimable_bytes: plan.reclaimableBytes, freed_bytes: 0, applied: false, plan_token: plan.token, failed: [] };
    }),
    ApplyClean: unary(async (req) => {
      const r = await store.applyClean(cleanFilter(req), req.expect_plan_token || undefined);
      return { candidates: r.candidates.map(cleanCandidate), skipped: r.skipped.map(cleanCandidate), reclaimable_bytes: r.reclaimableBytes, freed_bytes: r.freedBytes, applied: true, plan_token: r.token, failed: r.failed };
    }),
    ScanHfCache: unary(async (req) => {
      if (req.cache_dir && path.resolve(req.cache_dir) !== path.resolve(store.roots.hfHubCache)) {
        throw new CortexError("REG_OUTSIDE_ROOTS", `cache_dir ${req.cache_dir} is not the configured HF cache ${store.roots.hfHubCache} (set HF_HUB_CACHE for the daemon)`);
      }
      return hfCacheView(await store.scanHfCache());
    }),
    DeleteHfCache: unary(async (req) => {
      const { plan, result } = await store.deleteHfCache(req.targets ?? [], { dryRun: Boolean(req.dry_run), prune: Boolean(req.prune) });
      const planned = [...plan.repos.map((r) => r.repoPath), ...plan.snapshots, ...(plan.pointers ?? []), ...plan.refs, ...plan.blobs.map((b) => b.path), ...plan.incomplete];
      return {
        freed_bytes: result?.freedBytes ?? 0,
        deleted_paths: [...(result?.deletedPaths ?? [])],
        kept_blobs: [...(result?.keptBlobs ?? plan.sharedBlobs.map((b) => `${b} (used by another revision)`))],
        expected_freed_bytes: plan.expectedFreedSize,
        warnings: [...(result?.warnings ?? plan.warnings)],
        planned_paths: planned,
        dry_run: Boolean(req.dry_run),
      };
    }),
  };
}

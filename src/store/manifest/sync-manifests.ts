import fs from "node:fs/promises";
import type { ModelFile, ModelRecord } from "../model-types.js";
import { buildManifest } from "./build-manifest.js";
import type { FileHasher } from "./file-hasher.js";
import type { Manifest, ManifestFile } from "./manifest-schema.js";
import type { ManifestStore } from "./manifest-store.js";

/** With `fast`, weight files larger than this are not hashed (their LFS sha256 is used when the HF cache knows it). */
export const FAST_HASH_LIMIT = 32 << 20;
const WEIGHTS = /\.(safetensors|gguf|bin|npz|pt|pth)$/;

export interface SyncResult {
  written: Manifest[];
  /** Manifests whose model is gone (removed when `pruneOrphans`). */
  orphans: Manifest[];
  warnings: string[];
}

/**
 * Hash a model's files: a previous hash is reused while size and mtime match; in fast mode large weight files are
 * skipped (HF LFS blobs keep the sha256 their name carries). Hashing runs on the hasher's worker threads.
 */
export async function hashModelFiles(files: readonly ModelFile[], previous: Manifest | undefined, hasher: FileHasher, fast: boolean): Promise<ManifestFile[]> {
  const prev = new Map((previous?.provenance.files ?? []).map((f) => [f.path, f]));
  return Promise.all(
    files.map(async (f): Promise<ManifestFile> => {
      const p = prev.get(f.rel);
      if (p?.sha256 && p.size === f.size && p.mtimeMs === f.mtimeMs) return p;
      const lfs = f.etag && /^[0-9a-f]{64}$/.test(f.etag) ? f.etag : undefined;
      if (fast && f.size > FAST_HASH_LIMIT && WEIGHTS.test(f.rel)) return lfs ? { path: f.rel, size: f.size, sha256: lfs, mtimeMs: f.mtimeMs } : { path: f.rel, size: f.size };
      const { sha256 } = await hasher.hash(f.path);
      return { path: f.rel, size: f.size, sha256, mtimeMs: f.mtimeMs };
    }),
  );
}

/**
 * Write a manifest for each model (all, or those given), hashing their files; report manifests whose model is gone.
 * Models are handled one at a time so a large sync keeps memory and open files flat.
 */
export async function syncManifests(
  models: readonly ModelRecord[],
  existing: ReadonlyMap<string, Manifest>,
  store: ManifestStore,
  o: { hasher: FileHasher; fast: boolean; pruneOrphans: boolean; now?: () => Date },
): Promise<SyncResult> {
  const written: Manifest[] = [];
  const warnings: string[] = [];
  for (const m of models) {
    const previous = existing.get(m.id);
    try {
      const files = await hashModelFiles(m.files, previous, o.hasher, o.fast);
      written.push(await store.update(m.id, (current) => buildManifest(m, current ?? previous, { files, ...(o.now ? { now: o.now() } : {}) })));
    } catch (err) {
      warnings.push(`${m.name} (${m.id}): ${(err as Error).message}`);
    }
  }
  return { written, ...(await findOrphans(models, existing, store, o.pruneOrphans)), warnings };
}

/** Manifests whose model is not listed and whose paths are gone. */
export async function findOrphans(models: readonly ModelRecord[], existing: ReadonlyMap<string, Manifest>, store: ManifestStore, prune: boolean): Promise<{ orphans: Manifest[] }> {
  const live = new Set(models.map((m) => m.id));
  const orphans: Manifest[] = [];
  for (const [id, man] of existing) {
    if (live.has(id)) continue;
    const anyLeft = await Promise.all(man.paths.map((p) => fs.lstat(p).then(() => true, () => false)));
    if (anyLeft.some(Boolean)) continue; // still on disk (e.g. became unreadable): not an orphan
    orphans.push(man);
    if (prune) await store.remove(id);
  }
  return { orphans };
}

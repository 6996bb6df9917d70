import path from "node:path";
import { groupGgufs } from "../store/discover/classify-files.js";
import type { Manifest } from "../store/manifest/manifest-schema.js";
import { recordModelProduced, type ProducedModel } from "../store/manifest/record-model.js";
import { runNames } from "../store/repo-gguf-ref.js";
import { storeRootsFor } from "../store/store-roots.js";
import { VERSION } from "../version.js";
import type { WorkerRuntimeConfig } from "./worker-config.js";

/** Worker-side: record a model a job produced in the store's manifests (the daemon's listing picks it up). */
export async function recordProduced(cfg: WorkerRuntimeConfig, produced: ProducedModel): Promise<string> {
  return (await recordManifest(cfg, produced)).id;
}

function recordManifest(cfg: WorkerRuntimeConfig, produced: ProducedModel): Promise<Manifest> {
  const roots = storeRootsFor({ hfHubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs }, cfg.paths);
  return recordModelProduced(roots, { ...produced, toolVersions: { cortexd: VERSION, ...(produced.toolVersions ?? {}) } });
}

export interface PulledModel {
  id: string;
  name: string;
  /** How `cortex run` names it (a GGUF: `org/x`, or `org/x:Q4_K_M` when the snapshot holds several). */
  run_as: string;
}

/**
 * Record every model a pull put in the snapshot: the snapshot folder when its top level holds a model, and each
 * GGUF (split parts as one). Files that make no model (a README-only repo) are left unrecorded, with why in `skipped`.
 */
export async function recordPulledModels(cfg: WorkerRuntimeConfig, snapshotPath: string, files: readonly { path: string; sha256: string }[], produced: Omit<ProducedModel, "path" | "sha256">): Promise<{ models: PulledModel[]; skipped: string[] }> {
  const sha = new Map(files.map((f) => [f.path, f.sha256]));
  const skipped: string[] = [];
  const manifests: { m: Manifest; gguf: boolean }[] = [];
  const record = async (rel: string | undefined, shaByRel: Record<string, string>, gguf: boolean) => {
    try {
      manifests.push({ m: await recordManifest(cfg, { ...produced, path: rel ? path.join(snapshotPath, ...rel.split("/")) : snapshotPath, sha256: shaByRel }), gguf });
    } catch (err) {
      skipped.push(`${rel ?? "the snapshot folder"}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await record(undefined, Object.fromEntries(sha), false);
  for (const g of groupGgufs(files.map((f) => f.path))) await record(g.primary, Object.fromEntries(g.parts.map((p) => [path.posix.basename(p), sha.get(p) ?? ""]).filter(([, v]) => v)), true);
  const repo = produced.sourceRepo ?? "";
  const ggufs = manifests.filter((x) => x.gguf && !/mmproj/i.test(x.m.name));
  const names = runNames(repo, ggufs.map((x) => ({ name: x.m.name, label: x.m.quantization.label })));
  const models = manifests.map(({ m, gguf }) => {
    const i = ggufs.findIndex((x) => x.m.id === m.id);
    return { id: m.id, name: m.name, run_as: gguf ? (i >= 0 ? names[i]! : m.name) : m.name };
  });
  return { models, skipped };
}

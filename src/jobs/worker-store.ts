import { recordModelProduced, type ProducedModel } from "../store/manifest/record-model.js";
import { storeRootsFor } from "../store/store-roots.js";
import { VERSION } from "../version.js";
import type { WorkerRuntimeConfig } from "./worker-config.js";

/** Worker-side: record a model a job produced in the store's manifests (the daemon's listing picks it up). */
export async function recordProduced(cfg: WorkerRuntimeConfig, produced: ProducedModel): Promise<string> {
  const roots = storeRootsFor({ hfHubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs }, cfg.paths);
  const m = await recordModelProduced(roots, { ...produced, toolVersions: { cortexd: VERSION, ...(produced.toolVersions ?? {}) } });
  return m.id;
}

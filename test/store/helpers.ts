import fs from "node:fs";
import path from "node:path";
import { homePaths } from "../../src/config/paths.js";
import { ModelStore } from "../../src/store/model-store.js";
import type { ModelHolders } from "../../src/store/model-holders.js";
import type { StoreRoots } from "../../src/store/model-types.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A fresh CORTEX_HOME layout, HF cache and extra folder in a temp dir. */
export function storeRoots(t: { after: (fn: () => void) => void }): StoreRoots & { models: string; mlxModels: string; quantizedModels: string; extra: string } {
  const dir = tempDir(t, "cxs");
  const p = homePaths(path.join(dir, "home"));
  for (const d of [p.models, p.mlxModels, p.quantizedModels, p.manifests]) fs.mkdirSync(d, { recursive: true });
  const hub = path.join(dir, "hub");
  const extra = path.join(dir, "extra");
  fs.mkdirSync(hub, { recursive: true });
  fs.mkdirSync(extra, { recursive: true });
  return { home: p.home, cortexDirs: [p.models, p.mlxModels, p.quantizedModels], manifests: p.manifests, hfHubCache: hub, modelDirs: [extra], models: p.models, mlxModels: p.mlxModels, quantizedModels: p.quantizedModels, extra };
}

export function newStore(roots: StoreRoots, holders?: ModelHolders): ModelStore {
  return new ModelStore({ roots, ...(holders ? { holders } : {}) });
}

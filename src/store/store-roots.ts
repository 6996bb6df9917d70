import path from "node:path";
import type { HomePaths } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import type { StoreRoots } from "./model-types.js";

/** The store's roots from the daemon's config: CORTEX_HOME's model folders, the HF cache, CORTEX_MODEL_DIRS. */
export function storeRootsFor(config: Pick<Config, "hfHubCache" | "modelDirs">, paths: HomePaths): StoreRoots {
  return {
    home: paths.home,
    cortexDirs: [paths.models, paths.mlxModels, paths.quantizedModels],
    manifests: paths.manifests,
    hfHubCache: config.hfHubCache ? path.resolve(config.hfHubCache) : "",
    modelDirs: config.modelDirs.map((d) => path.resolve(d)),
  };
}

import type { Config } from "../config/schema.js";
import type { HomePaths } from "../config/paths.js";
import type { Logger } from "../log/logger.js";
import { estimateMemory } from "./engine/estimate-memory.js";
import { inspectModelFile } from "./inspect-model-file.js";
import type { Quantizer } from "./quant-fallback.js";
import { resolveModelPath } from "../store/resolve-model-path.js";
import type { LoadSettings } from "../store/inspect/estimate-load.js";
import { ChildRunner } from "./runner/child-runner.js";
import { InferencePool, type PoolOptions } from "./scheduler/inference-pool.js";

/** Where a request's model may lie (after links): CORTEX_HOME, the HF cache, the extra model folders. */
export function modelRoots(config: Config, paths: HomePaths): string[] {
  return [paths.home, ...(config.hfHubCache ? [config.hfHubCache] : []), ...config.modelDirs];
}

/** A load's settings when it sets none, from the config: the pool's, and the store's for `ls` (handed over at boot). */
export function defaultLoadSettings(config: Config): LoadSettings {
  return { contextSize: config.contextSize, parallel: config.parallel };
}

/**
 * The daemon's pool: models run in runner child processes (a llama.cpp abort costs one model, not the daemon;
 * measured cost in BENCHMARKS.md), named by .gguf path or, with `resolve`, by what the model store lists.
 */
export function createInferencePool(config: Config, paths: HomePaths, logger: Logger, extra: { quantizer?: Quantizer; resolve?: PoolOptions["resolve"]; onUse?: PoolOptions["onUse"] } = {}): InferencePool {
  return new InferencePool({
    runners: () => ChildRunner.start({ threads: config.threads, gpu: "auto", pieceIntervalMs: config.streamIntervalMs }),
    resolve: extra.resolve ?? ((model) => resolveModelPath(model, paths.models, modelRoots(config, paths))),
    inspect: inspectModelFile,
    estimate: estimateMemory,
    ...(extra.quantizer ? { quantizer: extra.quantizer } : {}),
    ...(extra.onUse ? { onUse: extra.onUse } : {}),
    keepAliveSeconds: config.keepAliveSeconds,
    maxLoadedModels: config.maxLoadedModels,
    maxQueuedRequests: config.maxQueuedRequests,
    memoryReserveBytes: config.memoryReserveBytes,
    memoryBudgetBytes: config.memoryBudgetBytes,
    threads: config.threads,
    defaultContextSize: defaultLoadSettings(config).contextSize,
    defaultParallel: defaultLoadSettings(config).parallel,
    keepSpareRunner: true,
    logger: logger.child({ module: "inference" }),
  });
}

import os from "node:os";
import type { Config } from "../config/schema.js";
import { homePaths, type HomePaths } from "../config/paths.js";
import { poolMemoryBudget } from "../platform/memory-budget.js";
import { isAppleSilicon } from "../platform/platform-info.js";
import { confineReadsTo } from "../formats/quiet-read.js";

/**
 * The slice of config a worker process needs. The daemon hands it to its children in one environment
 * variable at fork (secrets included, never in job data); a worker reads it once at its own boot.
 */
export interface WorkerRuntimeConfig {
  home: string;
  paths: HomePaths;
  hfEndpoint: string;
  hfToken: string;
  hfHubCache: string;
  modelDirs: string[];
  /** Folders every machine of the fleet mounts (fleet jobs' inputs and `shared:` outputs). */
  sharedRoots?: string[];
  hfOffline: boolean;
  downloadPartsPerFile: number;
  threads: number;
  logLevel: string;
  /** Memory models may use (config budget, or total minus the reserve): the MLX size recipe reads it. */
  memoryBudgetBytes?: number;
}

export const WORKER_CONFIG_ENV = "CORTEX_WORKER_CONFIG";

export function workerConfigFrom(config: Config, hfToken: string): WorkerRuntimeConfig {
  return {
    home: config.home,
    paths: homePaths(config.home),
    hfEndpoint: config.hfEndpoint,
    hfToken,
    hfHubCache: config.hfHubCache,
    modelDirs: [...config.modelDirs],
    sharedRoots: [...config.sharedRoots],
    hfOffline: config.hfOffline,
    downloadPartsPerFile: config.downloadPartsPerFile,
    threads: config.threads,
    logLevel: config.logLevel,
    memoryBudgetBytes: poolMemoryBudget({ ramBytes: os.totalmem(), device: undefined, appleSilicon: isAppleSilicon(), reserveBytes: config.memoryReserveBytes, configuredBudgetBytes: config.memoryBudgetBytes }).budgetBytes,
  };
}

let cached: WorkerRuntimeConfig | undefined;

/** Called inside a worker process only. */
export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerRuntimeConfig {
  if (cached) return cached;
  const raw = env[WORKER_CONFIG_ENV];
  if (!raw) throw new Error(`${WORKER_CONFIG_ENV} is not set: worker processes are started by cortexd`);
  cached = JSON.parse(raw) as WorkerRuntimeConfig;
  // A job reads only inside the roots: a link in a model folder to /etc/shadow must not be read (#20 item 2).
  confineReadsTo([cached.home, cached.hfHubCache, ...cached.modelDirs]);
  return cached;
}

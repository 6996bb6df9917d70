import type { LoadedConfig } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import type { HomePaths } from "../config/paths.js";
import type { Queues } from "../jobs/queues.js";
import type { Logger } from "../log/logger.js";
import type { RedisHandle } from "../redis/redis-handle.js";
import type { StreamRegistry } from "./stream-registry.js";
import type { Metrics } from "../metrics/metrics.js";
import type { InferencePool } from "../inference/scheduler/inference-pool.js";

/** What services are built from: read-only config and the daemon's long-lived resources. */
export interface ServiceContext {
  config: Config;
  loaded: LoadedConfig;
  paths: HomePaths;
  logger: Logger;
  redis: RedisHandle;
  queues: Queues;
  streams: StreamRegistry;
  /** The resident model pool (memory in use shows in GetStatus). */
  inference?: InferencePool;
  /** The daemon's metrics (GetStats; the HTTP listener serves them at /metrics). */
  metrics?: Metrics;
  startedAt: Date;
  listeners: () => string[];
}

import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import type { Logger } from "../log/logger.js";
import type { ModelRecord } from "../store/model-types.js";

/** What the HTTP dialects are built from: the same pool and store the gRPC services use (no second path). */
export interface HttpDeps {
  pool: InferencePool;
  /** Every model the store lists (the routes pick the runnable ones). */
  models(): Promise<readonly ModelRecord[]>;
  logger: Logger;
}

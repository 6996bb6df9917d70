import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import type { JobMessage } from "../jobs/job-view.js";
import type { Logger } from "../log/logger.js";
import type { ModelRecord } from "../store/model-types.js";

/** What the HTTP dialects are built from: the same pool, store and jobs the gRPC services use (no second path). */
export interface HttpDeps {
  pool: InferencePool;
  /** Every model the store lists (the routes pick the runnable ones). */
  models(): Promise<readonly ModelRecord[]>;
  /** Deletes a model the user named (the store refuses what is loaded or used by a job). */
  deleteModel(ref: string): Promise<void>;
  /** Submits a pull job of an HF repo (include: file globs); identical pulls join one job. */
  pull(repo: string, revision: string, include: string[]): Promise<{ jobId: string }>;
  /** A job's states until it is final. */
  watchJob(jobId: string, signal: AbortSignal): AsyncIterable<JobMessage>;
  version: string;
  logger: Logger;
}

import type { Job as BullJob, JobState as BullState } from "bullmq";
import { parseCortexErrorString } from "../errors/cortex-error.js";
import { isJobKind, JOB_KINDS } from "./job-kinds.js";
import type { ProgressSnapshot } from "./job-progress.js";

/** The proto Job message (snake_case, enums as strings). */
export interface JobMessage {
  id: string;
  type: string;
  state: string;
  queue: string;
  model: string;
  progress: Partial<ProgressSnapshot> | null;
  attempts_made: number;
  max_attempts: number;
  created_at: string;
  started_at: string;
  finished_at: string;
  error_code: string;
  error_message: string;
  result_json: string;
  child_job_ids: string[];
  parent_job_id: string;
  params_json: string;
}

export const FINAL_STATES = new Set(["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"]);

const STATE: Record<string, string> = {
  waiting: "JOB_STATE_QUEUED",
  wait: "JOB_STATE_QUEUED",
  prioritized: "JOB_STATE_QUEUED",
  active: "JOB_STATE_ACTIVE",
  completed: "JOB_STATE_COMPLETED",
  failed: "JOB_STATE_FAILED",
  delayed: "JOB_STATE_DELAYED",
  "waiting-children": "JOB_STATE_WAITING_CHILDREN",
};

/** Job data always carries `model` (what the job is about) and never secrets. */
export function toJobMessage(job: BullJob, state: BullState | "unknown"): JobMessage {
  const iso = (ms?: number) => (ms ? new Date(ms).toISOString() : "");
  let mapped = STATE[state] ?? "JOB_STATE_UNSPECIFIED";
  let errorCode = "";
  let errorMessage = "";
  if (state === "failed" && job.failedReason) {
    const ce = parseCortexErrorString(job.failedReason);
    [errorCode, errorMessage] = [ce.code, ce.message];
    if (ce.code === "JOB_CANCELLED") mapped = "JOB_STATE_CANCELLED";
  }
  const data = (job.data ?? {}) as { model?: string };
  const progress = typeof job.progress === "object" && job.progress !== null ? (job.progress as Partial<ProgressSnapshot>) : null;
  return {
    id: job.id ?? "",
    type: isJobKind(job.name) ? JOB_KINDS[job.name].type : "JOB_TYPE_UNSPECIFIED",
    state: mapped,
    queue: job.queueName,
    model: data.model ?? "",
    progress,
    attempts_made: job.attemptsMade,
    max_attempts: job.opts.attempts ?? 1,
    created_at: iso(job.timestamp),
    started_at: iso(job.processedOn),
    finished_at: iso(job.finishedOn),
    error_code: errorCode,
    error_message: errorMessage,
    result_json: job.returnvalue === undefined || job.returnvalue === null ? "" : JSON.stringify(job.returnvalue),
    child_job_ids: [],
    parent_job_id: job.parent?.id ?? "",
    params_json: JSON.stringify(job.data ?? {}),
  };
}

import { UnrecoverableError, WaitingError, type SandboxedJob } from "bullmq";
import { CortexError, isCortexError, toCortexError } from "../errors/cortex-error.js";
import { RateMeter, type ProgressReport } from "./job-progress.js";
import { createProgressSampler } from "../hub/progress-sampler.js";
import { lowerToBackground } from "../platform/background-priority.js";

/** What a job body gets: no BullMQ in sight (Temporal-style activity context). */
export interface JobContext {
  jobId: string;
  /** The job's kind (BullMQ job name): pull, convert, quantize, fuse, flow. */
  jobName: string;
  /** Flow parents: the results of their children, keyed by child job key. */
  childrenValues?: () => Promise<Record<string, unknown>>;
  attempt: number;
  /**
   * An earlier run of this job started: a retry, a restart after a crash or a hand-back, or a second run after a
   * lost lock. That run may have published the output and died before recording it (output-target.ts).
   */
  rerun?: boolean;
  signal: AbortSignal;
  progress(report: ProgressReport): void;
  log(message: string): void;
}

export type JobBody<Data, Result> = (data: Data, ctx: JobContext) => Promise<Result>;

/** Reason given to worker.cancelAllJobs at daemon shutdown: hand the job back to the queue, no attempt spent. */
export const SHUTDOWN_REASON = "shutdown";
const MIN_PROGRESS_INTERVAL_MS = 100;

/**
 * Wraps a job body into a BullMQ sandboxed processor. Declared with three parameters on purpose: BullMQ
 * passes the AbortSignal only to processors whose `length` is 3. Cancel → JOB_CANCELLED, never retried;
 * shutdown → back to wait; CortexError{retryable:false} → UnrecoverableError; failures travel as "CODE: message".
 */
export function createProcessor<Data, Result>(body: JobBody<Data, Result>) {
  // The daemon owns this child through IPC; if the daemon dies (kill -9) the child must not run on alone,
  // or a restarted daemon could run the same job twice at once.
  if (process.send) process.once("disconnect", () => process.exit(70));
  // Jobs are background work: they get the CPU the inference runners leave (platform/background-priority.ts).
  if (process.send) lowerToBackground();

  return async function processor(job: SandboxedJob<Data, Result>, token: string | undefined, signal: AbortSignal): Promise<Result> {
    const meter = new RateMeter();
    let inFlight: Promise<unknown> = Promise.resolve();
    // The one progress throttle (hub/progress-sampler.ts): first report at once, then the latest at most every interval.
    const sampler = createProgressSampler<ProgressReport>((report) => {
      // The pid lets a cancel that this process ignores (a blocked event loop) end it (JobWorkers.killJobProcess).
      inFlight = Promise.resolve(job.updateProgress({ ...meter.sample(report), worker_pid: process.pid } as unknown as object)).catch(() => undefined);
    }, MIN_PROGRESS_INTERVAL_MS);
    const ctx: JobContext = {
      jobId: job.id ?? "",
      jobName: job.name,
      childrenValues: async () => (await job.getChildrenValues()) as Record<string, unknown>,
      attempt: job.attemptsMade + 1,
      // attemptsStarted counts every move to active (stalls and hand-backs too); attemptsMade only failures.
      rerun: (job.attemptsStarted ?? 0) > 1 || job.attemptsMade > 0,
      signal,
      progress: (report) => sampler.push(report),
      log(message) {
        void Promise.resolve(job.log(message)).catch(() => undefined);
      },
    };
    // Cancelled while this process was stuck, then handed back (a restart, a crash): it never runs again.
    const cancelled = (job.data as { cancelled?: unknown } | undefined)?.cancelled;
    if (typeof cancelled === "string") throw new UnrecoverableError(new CortexError("JOB_CANCELLED", `job ${job.id} cancelled${cancelled ? `: ${cancelled}` : ""}`).toString());
    try {
      const result = await body(job.data, ctx);
      if (signal.aborted) throw signal.reason ?? new Error("aborted");
      // The last report (100 %) must not be lost to the throttle.
      sampler.flush();
      await inFlight;
      return result;
    } catch (err) {
      sampler.cancel();
      if (signal.aborted) {
        const reason = String(signal.reason instanceof Error ? signal.reason.message : signal.reason ?? "");
        if (reason === SHUTDOWN_REASON && token) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        throw new UnrecoverableError(new CortexError("JOB_CANCELLED", `job ${job.id} cancelled${reason ? `: ${reason}` : ""}`).toString());
      }
      const ce = isCortexError(err) ? err : toCortexError(err);
      if (!ce.retryable) throw new UnrecoverableError(ce.toString());
      throw new Error(ce.toString());
    }
  };
}

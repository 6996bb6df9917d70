import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Logger } from "../log/logger.js";
import { SHUTDOWN_REASON } from "./processor-shim.js";
import { baseQueueOf, isFleetQueue, QUEUE_NAMES, QUEUE_PREFIX, type AnyQueueName, type QueueName } from "./queue-names.js";
import { childEnv } from "../platform/child-env.js";
import { WORKER_CONFIG_ENV, type WorkerRuntimeConfig } from "./worker-config.js";
import type { CancelBus } from "./cancel-bus.js";

/** dist/workers/<queue>.js: compiled sandboxed processors (Node 20 cannot fork TypeScript). */
export function processorFile(queue: QueueName): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // dist/src/jobs
  return path.resolve(here, "../../workers", `${queue}.js`);
}

export interface JobWorkersOptions {
  /** BullMQ's connection (redis-handle.ts): ioredis options, or a shared cluster client it duplicates. */
  connection: ConnectionOptions;
  concurrency: Record<QueueName, number>;
  runtime: WorkerRuntimeConfig;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Longest Redis stall a running job's lock must survive (config redisStallToleranceMs). @default 2500 */
  stallToleranceMs?: number;
  /** Processor files per queue; default dist/workers/<queue>.js (tests plug in fixture processors). */
  processors?: Partial<Record<QueueName, string>>;
  /** The queues to consume; default the local ones (a `cortex worker` names fleet queues). */
  queues?: readonly AnyQueueName[];
  /** Cross-process cancels (fleet): this process cancels the jobs it runs when any daemon asks. */
  cancelBus?: CancelBus;
  /** Called when the set of running jobs changes (the fleet heartbeat follows it). */
  onRunningChange?: () => void;
  /** How long a job cancelled through the cancel bus may take to stop before its process is killed. @default 1000 */
  remoteCancelKillMs?: number;
}

/**
 * A job cancelled from another process (the daemon, through the cancel bus) that has not stopped after this is
 * killed by its worker: its process ignored the cancel (a blocked event loop never reads the IPC message), and the
 * daemon's CancelJob answers within 2 s (#21). A cooperative job stops within milliseconds of the abort.
 */
export const REMOTE_CANCEL_KILL_MS = 1000;

/**
 * A worker process's environment: the daemon's without its secrets (child-env.ts), plus the runtime config, whose
 * Hub token only the downloads and fleet queues get (their jobs fetch inputs and push outputs; local conversions
 * and quantizations read local files).
 */
export function jobWorkerEnv(queue: AnyQueueName, runtime: WorkerRuntimeConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const config: WorkerRuntimeConfig = queue === "downloads" || isFleetQueue(queue) ? runtime : { ...runtime, hfToken: "" };
  return { ...childEnv(env), [WORKER_CONFIG_ENV]: JSON.stringify(config) };
}

/**
 * The daemon (or a `cortex worker`) owns the BullMQ Workers (so worker.cancelJob works: it acts only in the owning
 * process); each job body runs in a forked child process. Locks are renewed here, off the busy child.
 */
export class JobWorkers {
  private readonly workers = new Map<AnyQueueName, Worker>();
  /** The jobs running in this process: BullMQ's own Job objects (their progress carries the child's pid). */
  private readonly running = new Map<string, { queue: AnyQueueName; job: Job }>();
  private readonly killTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly opts: JobWorkersOptions) {}

  async start(): Promise<void> {
    for (const queue of this.opts.queues ?? QUEUE_NAMES) {
      const base = baseQueueOf(queue);
      const env = jobWorkerEnv(queue, this.opts.runtime);
      const file = this.opts.processors?.[base] ?? processorFile(base);
      if (!fs.existsSync(file)) {
        this.opts.logger.warn({ queue, file }, "no processor for this queue in this build; its jobs wait");
        continue;
      }
      const worker = new Worker(queue, file, {
        connection: this.opts.connection,
        prefix: QUEUE_PREFIX,
        concurrency: this.opts.concurrency[base],
        useWorkerThreads: false,
        workerForkOptions: { env, execArgv: [] } as never,
        // A crashed daemon's active jobs come back within ~lockDuration; resumable jobs may stall a few times.
        // BullMQ renews at half the lock, and a renewal queued during a stall runs when Redis answers again: the
        // lock survives a stall shorter than half of it (#20 item 4), hence 2 × tolerance plus a margin.
        lockDuration: lockDurationFor(this.opts.stallToleranceMs),
        stalledInterval: lockDurationFor(this.opts.stallToleranceMs) / 2,
        maxStalledCount: 5,
      });
      const done = (id: string | undefined) => {
        if (!id) return;
        clearTimeout(this.killTimers.get(id));
        this.killTimers.delete(id);
        if (this.running.delete(id)) this.opts.onRunningChange?.();
      };
      worker.on("active", (job) => {
        if (!job.id) return;
        this.running.set(job.id, { queue, job });
        this.opts.onRunningChange?.();
        // A cancel published while no process held the job (its worker died) is honoured at pick-up.
        void this.opts.cancelBus
          ?.cancelledReason(job.id)
          .then((reason) => reason !== undefined && this.cancelFromElsewhere(queue, job.id!, reason))
          .catch(() => undefined);
      });
      worker.on("failed", (job, err) => {
        done(job?.id);
        this.opts.logger.warn({ queue, jobId: job?.id, err: err.message }, "job failed");
      });
      worker.on("completed", (job) => {
        done(job.id);
        this.opts.logger.info({ queue, jobId: job.id }, "job completed");
      });
      worker.on("error", (err) => this.opts.logger.error({ queue, err: err.message }, "worker error"));
      this.workers.set(queue, worker);
    }
    await this.opts.cancelBus?.listen(({ jobId, reason }) => {
      const queue = this.running.get(jobId)?.queue;
      if (queue && this.cancelFromElsewhere(queue, jobId, reason)) this.opts.logger.info({ queue, jobId, reason }, "job cancelled from another process");
    });
  }

  /** A cancel another process asked for: the job is aborted now and killed if it is still running after the bound. */
  private cancelFromElsewhere(queue: AnyQueueName, jobId: string, reason: string): boolean {
    if (!this.workers.get(queue)?.cancelJob(jobId, reason)) return false;
    if (!this.killTimers.has(jobId)) {
      const timer = setTimeout(() => void this.killIgnoringCancel(jobId, reason), this.opts.remoteCancelKillMs ?? REMOTE_CANCEL_KILL_MS);
      timer.unref();
      this.killTimers.set(jobId, timer);
    }
    return true;
  }

  /**
   * A job still running after its remote cancel's bound: marked cancelled in its data first (the attempt the kill
   * fails may be retried, and the processor shim ends a marked job JOB_CANCELLED at pick-up, so it never runs
   * again), then its process is killed. The daemon that asked settles the failed attempt as CANCELLED.
   */
  private async killIgnoringCancel(jobId: string, reason: string): Promise<void> {
    this.killTimers.delete(jobId);
    const entry = this.running.get(jobId);
    if (!entry) return;
    try {
      await entry.job.updateData({ ...(entry.job.data as object), cancelled: reason });
    } catch (err) {
      // The kill goes ahead: the cancel mark (cancel-bus.ts) still stops a later pick-up of the job.
      this.opts.logger.warn({ jobId, err: (err as Error).message }, "could not mark the cancelled job before killing it");
    }
    if (!this.running.has(jobId)) return; // it stopped meanwhile
    const killed = this.killJobProcess(entry.queue, jobId);
    this.opts.logger.warn({ queue: entry.queue, jobId, reason, killed }, "job ignored its cancel: its process was killed");
  }

  /** The jobs running in this process now. */
  runningJobIds(): string[] {
    return [...this.running.keys()];
  }

  /** The queues this process consumes. */
  queueNames(): AnyQueueName[] {
    return [...this.workers.keys()];
  }

  /**
   * SIGKILLs the worker process that runs a job which ignored its cancel (a blocked event loop never reads the
   * IPC message). False when no process of ours is known to run it (see jobProcessOf).
   */
  killJobProcess(queue: AnyQueueName, jobId: string): boolean {
    const victim = this.jobProcessOf(queue, jobId);
    if (victim === undefined) return false;
    try {
      process.kill(victim, "SIGKILL");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The pid of the child running a job: the one its progress names (processor-shim adds it), else the one child of
   * its queue's pool that no other running job's progress claims.
   */
  private jobProcessOf(queue: AnyQueueName, jobId: string): number | undefined {
    const retained = Object.keys(retainedChildren(this.workers.get(queue))).map(Number);
    const pidOf = (job: Job | undefined) => {
      const pid = (job?.progress as { worker_pid?: unknown } | null | undefined)?.worker_pid;
      return typeof pid === "number" ? pid : undefined;
    };
    const own = pidOf(this.running.get(jobId)?.job);
    if (own !== undefined) return retained.includes(own) ? own : undefined;
    const claimed = new Set([...this.running].filter(([id, r]) => id !== jobId && r.queue === queue).map(([, r]) => pidOf(r.job)));
    const free = retained.filter((pid) => !claimed.has(pid));
    return free.length === 1 ? free[0] : undefined;
  }

  /** Cancels a running job where it runs. False when no worker here runs it. */
  cancel(queue: AnyQueueName, jobId: string, reason: string): boolean {
    return this.workers.get(queue)?.cancelJob(jobId, reason) ?? false;
  }

  /** Shutdown: running jobs go back to wait (no attempt spent), then the workers close, forced after a bound. */
  async stop(): Promise<void> {
    for (const timer of this.killTimers.values()) clearTimeout(timer);
    this.killTimers.clear();
    const all = [...this.workers.values()];
    for (const w of all) w.cancelAllJobs(SHUTDOWN_REASON);
    await Promise.all(
      all.map(async (w) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          w.close(),
          new Promise<void>(
            (r) =>
              (timer = setTimeout(() => {
                // A job that ignores the hand-back (blocked event loop) would outlive the daemon: its process goes.
                for (const pid of Object.keys(retainedChildren(w))) {
                  try {
                    process.kill(Number(pid), "SIGKILL");
                  } catch {
                    // already gone
                  }
                }
                void w.close(true).then(r);
              }, this.opts.shutdownTimeoutMs)),
          ),
        ]);
        clearTimeout(timer);
      }),
    );
  }
}

/** BullMQ's pool of sandbox processes running jobs, by pid (not public API: read defensively). */
function retainedChildren(worker: Worker | undefined): Record<string, unknown> {
  const pool = (worker as unknown as { childPool?: { retained?: Record<string, unknown> } } | undefined)?.childPool;
  return pool?.retained ?? {};
}

/** A job lock that survives a Redis stall of `toleranceMs` (default 2.5 s: BullMQ's 10 s). */
export function lockDurationFor(toleranceMs = 2_500): number {
  return Math.max(10_000, 2 * toleranceMs + 5_000);
}

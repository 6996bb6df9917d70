import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type ConnectionOptions } from "bullmq";
import type { RedisOptions } from "ioredis";
import type { Logger } from "../log/logger.js";
import { SHUTDOWN_REASON } from "./processor-shim.js";
import { QUEUE_NAMES, QUEUE_PREFIX, type QueueName } from "./queue-names.js";
import { childEnv } from "../platform/child-env.js";
import { WORKER_CONFIG_ENV, type WorkerRuntimeConfig } from "./worker-config.js";

/** dist/workers/<queue>.js: compiled sandboxed processors (Node 20 cannot fork TypeScript). */
export function processorFile(queue: QueueName): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // dist/src/jobs
  return path.resolve(here, "../../workers", `${queue}.js`);
}

export interface JobWorkersOptions {
  connection: RedisOptions;
  concurrency: Record<QueueName, number>;
  runtime: WorkerRuntimeConfig;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Processor files per queue; default dist/workers/<queue>.js (tests plug in fixture processors). */
  processors?: Partial<Record<QueueName, string>>;
}

/**
 * A worker process's environment: the daemon's without its secrets (child-env.ts), plus the runtime config, whose
 * Hub token only the downloads queue gets (conversions and quantizations read local files).
 */
export function jobWorkerEnv(queue: QueueName, runtime: WorkerRuntimeConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const config: WorkerRuntimeConfig = queue === "downloads" ? runtime : { ...runtime, hfToken: "" };
  return { ...childEnv(env), [WORKER_CONFIG_ENV]: JSON.stringify(config) };
}

/**
 * The daemon owns the BullMQ Workers (so worker.cancelJob works: it acts only in the owning process);
 * each job body runs in a forked child process. Locks are renewed here, off the busy child.
 */
export class JobWorkers {
  private readonly workers = new Map<QueueName, Worker>();

  constructor(private readonly opts: JobWorkersOptions) {}

  start(): void {
    for (const queue of QUEUE_NAMES) {
      const env = jobWorkerEnv(queue, this.opts.runtime);
      const file = this.opts.processors?.[queue] ?? processorFile(queue);
      if (!fs.existsSync(file)) {
        this.opts.logger.warn({ queue, file }, "no processor for this queue in this build; its jobs wait");
        continue;
      }
      const worker = new Worker(queue, file, {
        connection: this.opts.connection as ConnectionOptions,
        prefix: QUEUE_PREFIX,
        concurrency: this.opts.concurrency[queue],
        useWorkerThreads: false,
        workerForkOptions: { env, execArgv: [] } as never,
        // A crashed daemon's active jobs come back within ~lockDuration; resumable jobs may stall a few times.
        lockDuration: 10_000,
        stalledInterval: 5_000,
        maxStalledCount: 5,
      });
      worker.on("failed", (job, err) => this.opts.logger.warn({ queue, jobId: job?.id, err: err.message }, "job failed"));
      worker.on("completed", (job) => this.opts.logger.info({ queue, jobId: job.id }, "job completed"));
      worker.on("error", (err) => this.opts.logger.error({ queue, err: err.message }, "worker error"));
      this.workers.set(queue, worker);
    }
  }

  /**
   * SIGKILLs the worker process that runs a job which ignored its cancel (a blocked event loop never reads the
   * IPC message). `pid` comes from the job's progress (processor-shim adds it); without one, a queue running a
   * single job has one candidate. False when no such process of ours is found.
   */
  killJobProcess(queue: QueueName, pid: number | undefined): boolean {
    const retained = Object.keys(retainedChildren(this.workers.get(queue))).map(Number);
    const victim = pid !== undefined && retained.includes(pid) ? pid : retained.length === 1 ? retained[0] : undefined;
    if (victim === undefined) return false;
    try {
      process.kill(victim, "SIGKILL");
      return true;
    } catch {
      return false;
    }
  }

  /** Cancels a running job where it runs. False when no worker here runs it. */
  cancel(queue: QueueName, jobId: string, reason: string): boolean {
    return this.workers.get(queue)?.cancelJob(jobId, reason) ?? false;
  }

  /** Shutdown: running jobs go back to wait (no attempt spent), then the workers close, forced after a bound. */
  async stop(): Promise<void> {
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

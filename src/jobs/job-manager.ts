import crypto from "node:crypto";
import { FlowProducer, type FlowJob, type Job as BullJob, type JobsOptions, type JobState as BullState } from "bullmq";
import type { RedisClient } from "../redis/redis-target.js";
import { CortexError } from "../errors/cortex-error.js";
import type { JobEvents } from "./job-events.js";
import { JOB_KINDS, newJobId, queueOfJobId, type FleetJobKind, type JobKind } from "./job-kinds.js";
import { FINAL_STATES, toJobMessage, type JobMessage } from "./job-view.js";
import { REMOTE_CANCEL_KILL_MS, type JobWorkers } from "./job-workers.js";
import { noWorkerNote } from "./fleet-status.js";
import { fleetQueue, isFleetQueue, QUEUE_PREFIX, type AnyQueueName, type Capability, type FleetBaseQueue } from "./queue-names.js";
import { queueEntries, type Queues } from "./queues.js";
import type { CancelBus } from "./cancel-bus.js";

const DEFAULT_OPTS: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 7 * 86400, count: 1000 },
  removeOnFail: { age: 30 * 86400, count: 1000 },
};
const TOMBSTONE_TTL_S = 7 * 86400;
/** A cancelled job stops within this, or its process is killed (#20 item 6). */
const CANCEL_BOUND_MS = 5000;
/** A Redis call that takes longer than this while Redis is down answers REDIS_UNAVAILABLE instead of hanging. */
const REDIS_CALL_BOUND_MS = 10_000;
/** The bound while the watchdog calls Redis stalled (redis-handle.ts): answers stay under a second. */
const STALLED_CALL_BOUND_MS = 500;
const REDIS_DOWN = new Set(["reconnecting", "close", "end"]);

/** A flow step: the parent runs after all its children complete (BullMQ flows). */
export interface FlowStep {
  kind: JobKind;
  data: { model: string } & Record<string, unknown>;
  children?: FlowStep[];
}

export interface SubmitResult {
  job: JobMessage;
  deduplicated: boolean;
}

export interface SubmitOptions {
  dedupeKey?: string;
  attempts?: number;
  idempotencyKey?: string;
  /** A fleet job: goes to the `<queue>-<capability>` queue that `cortex worker`s with that capability consume. */
  capability?: Capability;
}

/** A submit that timed out may still have been queued (Redis got it, the answer was lost): say so, and how to join it. */
const SUBMIT_WHAT = "submit the job";
const SUBMIT_MAYBE_SENT = "; the submit may still have gone through: retry with the same idempotency_key to join that job instead of starting another (the CLI does), or look in `cortex jobs`";

/** A job id for a client's idempotency key: same key and kind, same id ("quant-i…": the queue stays derivable). */
export function idempotentJobId(kind: JobKind, key: string, capability?: Capability): string {
  return `${JOB_KINDS[kind].prefix}-${capability ? `${capability}-` : ""}i${crypto.createHash("sha256").update(`${kind}\0${key}`).digest("hex").slice(0, 20)}`;
}

/**
 * At most 10 messages per second per watched job, the final one included, as the client receives them: sends are
 * 110 ms apart, not 100, because delivery jitter (a busy event loop on either side) can bunch two of them, and at
 * exactly 100 ms a client then counted 11 within one second (seen once in the full suite, two test files at a time
 * on 2 cores).
 */
const WATCH_MIN_GAP_MS = 110;

/** Job operations behind JobService: submit (deduplicated), get, list, watch, cancel, retry. */
export class JobManager {
  constructor(
    private readonly queues: Queues,
    private readonly events: JobEvents,
    private readonly workers: JobWorkers,
    private readonly redis: RedisClient,
    /** The Redis watchdog's verdict (redis-handle.ts): false while Redis is frozen, so calls answer at once. */
    private readonly redisAnswers: () => boolean = () => true,
    /** Present when the daemon shares its Redis with `cortex worker`s: cancels reach them through it. */
    private readonly cancelBus?: CancelBus,
  ) {}

  /** The queue holding a job id's jobs; JOB_NOT_FOUND for a fleet id on a daemon without the fleet. */
  private queueOf(name: AnyQueueName) {
    const queue = this.queues[name];
    if (!queue) throw new CortexError("JOB_NOT_FOUND", `queue ${name} is a fleet queue and this cortexd has no fleet (embedded Redis)`);
    return queue;
  }

  /** Whether jobs can go to `cortex worker`s (queues per capability exist on this daemon). */
  get fleetEnabled(): boolean {
    return this.queues["conversions-gguf"] !== undefined;
  }

  private flowProducer: FlowProducer | undefined;

  /** pull → convert → quantize as one parent job with children; a failed child fails its parent. */
  async submitFlow(root: FlowStep): Promise<SubmitResult> {
    return this.withRedis(SUBMIT_WHAT, () => this.submitFlowNow(root), SUBMIT_MAYBE_SENT);
  }

  private async submitFlowNow(root: FlowStep): Promise<SubmitResult> {
    // The queues' own connection: options for one server, the shared client on a cluster.
    this.flowProducer ??= new FlowProducer({ connection: this.queues.downloads.opts.connection, prefix: QUEUE_PREFIX });
    const build = (step: FlowStep): FlowJob => ({
      name: step.kind,
      queueName: JOB_KINDS[step.kind].queue,
      data: step.data,
      opts: { ...DEFAULT_OPTS, jobId: newJobId(step.kind), failParentOnFailure: true },
      ...(step.children?.length ? { children: step.children.map(build) } : {}),
    });
    const node = await this.flowProducer.add(build(root));
    return { job: await this.get(node.job.id!), deduplicated: false };
  }

  async close(): Promise<void> {
    await this.flowProducer?.close();
  }

  /**
   * Adds a job; with `dedupeKey`, an identical job still queued or running is joined instead. With
   * `idempotencyKey` the job id derives from the key, so a retried submit joins what the first try made (BullMQ
   * adds nothing for an id it holds), even once that job has ended.
   */
  async submit(kind: JobKind, data: { model: string } & Record<string, unknown>, opts: SubmitOptions = {}): Promise<SubmitResult> {
    return this.withRedis(SUBMIT_WHAT, () => this.submitNow(kind, data, opts), SUBMIT_MAYBE_SENT);
  }

  /**
   * Fails fast with REDIS_UNAVAILABLE while Redis is down (ioredis would queue the command until it reconnects and
   * the caller would wait out its deadline); a call that hangs past the bound gets the same answer.
   */
  private async withRedis<T>(what: string, fn: () => Promise<T>, maybeSent = ""): Promise<T> {
    this.requireRedis(what);
    // While the watchdog calls Redis stalled, a call gets a short bound: a frozen Redis answers UNAVAILABLE within a
    // second, and a merely slow one still serves what it can answer in that time.
    const stalledNow = () => this.redis.status === "ready" && !this.redisAnswers();
    const stalledMessage = `Redis does not answer (stalled), so cortexd could not ${what}${maybeSent}; cortex status shows when it answers again`;
    let timer: NodeJS.Timeout | undefined;
    let watch: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      if (stalledNow()) {
        timer = setTimeout(() => reject(new CortexError("REDIS_UNAVAILABLE", stalledMessage)), STALLED_CALL_BOUND_MS);
        return;
      }
      timer = setTimeout(() => reject(new CortexError("REDIS_UNAVAILABLE", `Redis did not answer within ${REDIS_CALL_BOUND_MS / 1000} s, so cortexd could not ${what}${maybeSent}`)), REDIS_CALL_BOUND_MS);
      // A call already waiting when the watchdog calls the stall gets the short bound from then on.
      watch = setInterval(() => {
        if (!stalledNow()) return;
        clearInterval(watch);
        clearTimeout(timer);
        timer = setTimeout(() => reject(new CortexError("REDIS_UNAVAILABLE", stalledMessage)), STALLED_CALL_BOUND_MS);
      }, 100);
    });
    try {
      return await Promise.race([fn(), bound]);
    } finally {
      clearTimeout(timer);
      clearInterval(watch);
    }
  }

  private requireRedis(what: string): void {
    // Lost, not merely still connecting (a first connection is covered by the time bound).
    if (REDIS_DOWN.has(this.redis.status)) {
      throw new CortexError("REDIS_UNAVAILABLE", `Redis is not reachable, so cortexd cannot ${what} now; it reconnects by itself (cortex status shows when)`);
    }

  }

  private async submitNow(kind: JobKind, data: { model: string } & Record<string, unknown>, opts: SubmitOptions): Promise<SubmitResult> {
    // A fleet job goes to the queue of its capability, which only `cortex worker`s with that capability consume.
    const name: AnyQueueName = opts.capability ? fleetQueue(JOB_KINDS[kind as FleetJobKind].queue as FleetBaseQueue, opts.capability) : JOB_KINDS[kind].queue;
    const queue = this.queueOf(name);
    const jobId = opts.idempotencyKey ? idempotentJobId(kind, opts.idempotencyKey, opts.capability) : newJobId(kind, opts.capability);
    if (opts.idempotencyKey && (await queue.getJob(jobId))) return { job: await this.get(jobId), deduplicated: true };
    const job = await queue.add(kind, data, {
      ...DEFAULT_OPTS,
      jobId,
      ...(opts.attempts ? { attempts: opts.attempts } : {}),
      ...(opts.dedupeKey ? { deduplication: { id: opts.dedupeKey.replace(/:/g, "_") } } : {}),
    });
    const id = job.id ?? jobId;
    return { job: await this.get(id), deduplicated: id !== jobId };
  }

  /**
   * A flow's parent fails when a child does, and BullMQ records only "child <key> failed": the parent reports the
   * failing step's own error code and message (followed down nested steps), never INTERNAL.
   */
  private async withChildFailure(msg: JobMessage, job: BullJob, depth = 0): Promise<JobMessage> {
    const m = /^child (\S+) failed$/.exec(job.failedReason ?? "");
    if (!m || depth > 8) return msg;
    const childId = m[1]!.slice(m[1]!.lastIndexOf(":") + 1);
    const child = await this.find(childId).catch(() => undefined);
    if (!child) return msg;
    const c = await this.withChildFailure(toJobMessage(child.job, child.state), child.job, depth + 1);
    if (!c.error_code) return msg;
    const step = c.type.replace("JOB_TYPE_", "").toLowerCase();
    return { ...msg, error_code: c.error_code, error_message: c.error_message.startsWith("step ") ? c.error_message : `step ${step} (${childId}) failed: ${c.error_message}`, ...(c.error_code === "JOB_CANCELLED" ? { state: "JOB_STATE_CANCELLED" } : {}) };
  }

  private async find(jobId: string): Promise<{ job: BullJob; state: BullState | "unknown" } | undefined> {
    const queueName = queueOfJobId(jobId);
    if (!queueName) return undefined;
    const queue = this.queues[queueName];
    if (!queue) return undefined;
    let job = await queue.getJob(jobId);
    if (!job) return undefined;
    const state = await job.getState();
    // The job hash was read before its state: once final, read it again so attempts and results match the state.
    if (state === "completed" || state === "failed") job = (await queue.getJob(jobId)) ?? job;
    return { job, state };
  }

  async get(jobId: string): Promise<JobMessage> {
    return this.withRedis("read the job", () => this.getNow(jobId));
  }

  private async getNow(jobId: string): Promise<JobMessage> {
    const found = await this.find(jobId);
    if (found) return this.withChildFailure(toJobMessage(found.job, found.state), found.job);
    const tomb = await this.redis.get(`${QUEUE_PREFIX}:tombstone:${jobId}`);
    if (tomb) return JSON.parse(tomb) as JobMessage;
    throw new CortexError("JOB_NOT_FOUND", `job ${jobId} not found`);
  }

  async list(filter: { states?: string[]; types?: string[]; model?: string; limit?: number }): Promise<JobMessage[]> {
    return this.withRedis("list jobs", () => this.listNow(filter));
  }

  private async listNow(filter: { states?: string[]; types?: string[]; model?: string; limit?: number }): Promise<JobMessage[]> {
    const limit = Math.min(filter.limit || 100, 1000);
    const all = await Promise.all(
      queueEntries(this.queues).map(async ([, q]) => {
        const jobs = await q.getJobs(["waiting", "active", "delayed", "prioritized", "waiting-children", "completed", "failed"], 0, limit - 1, false);
        return Promise.all(jobs.filter(Boolean).map(async (j) => this.withChildFailure(toJobMessage(j, await j.getState()), j)));
      }),
    );
    return all
      .flat()
      .filter((j) => !filter.states?.length || filter.states.includes(j.state))
      .filter((j) => !filter.types?.length || filter.types.includes(j.type))
      .filter((j) => !filter.model || j.model === filter.model)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, limit);
  }

  /** Snapshots of the job until it reaches a final state, ≥ 100 ms apart; bursts coalesce (only the latest state is sent). */
  async *watch(jobId: string, signal: AbortSignal): AsyncGenerator<JobMessage> {
    let dirty = true;
    let lastSent = -Infinity;
    let wake: (() => void) | undefined;
    const onEvent = () => {
      dirty = true;
      wake?.();
    };
    this.events.on(`job:${jobId}`, onEvent);
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort);
    try {
      while (!signal.aborted) {
        if (!dirty) {
          // Poll as a fallback: QueueEvents is not exactly-once and streams are trimmed.
          let poll: NodeJS.Timeout | undefined;
          await new Promise<void>((r) => {
            wake = r;
            poll = setTimeout(() => {
              dirty = true;
              r();
            }, 2000);
            poll.unref();
          });
          clearTimeout(poll);
          wake = undefined;
          continue;
        }
        const wait = lastSent + WATCH_MIN_GAP_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // bursts in between are coalesced
        dirty = false;
        const job = await this.get(jobId);
        lastSent = performance.now();
        yield job;
        if (FINAL_STATES.has(job.state)) return;
      }
    } finally {
      this.events.off(`job:${jobId}`, onEvent);
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Running: aborted where it runs (stops within 2 s). Queued: removed and remembered as CANCELLED. */
  async cancel(jobId: string, reason: string): Promise<JobMessage> {
    this.requireRedis("cancel the job");
    if (this.redis.status === "ready" && !this.redisAnswers()) throw new CortexError("REDIS_UNAVAILABLE", `Redis does not answer (stalled), so cortexd cannot cancel it now; nothing was sent (cortex status shows when it answers again)`);
    const found = await this.find(jobId);
    if (!found) return this.get(jobId); // a tombstone (already cancelled) or NOT_FOUND
    const { job, state } = found;
    const current = toJobMessage(job, state);
    if (FINAL_STATES.has(current.state)) {
      throw new CortexError("JOB_INVALID_STATE", `job ${jobId} already ended (${current.state.replace("JOB_STATE_", "").toLowerCase()})`);
    }
    if (state === "active") {
      const why = reason || "cancelled by user";
      const local = await this.cancelRunning(job.queueName as AnyQueueName, jobId, why);
      if (!local) {
        // A remote job's process is its worker's to kill: the worker does after REMOTE_CANCEL_KILL_MS (JobWorkers),
        // and the attempt that the kill failed is settled here as CANCELLED.
        return this.settleKilled(jobId, why, CANCEL_BOUND_MS, `it did not stop within ${REMOTE_CANCEL_KILL_MS / 1000} s; its worker killed its process`);
      }
      const after = await this.waitFinal(jobId, CANCEL_BOUND_MS);
      return FINAL_STATES.has(after.state) ? after : this.killStuck(jobId, reason);
    }
    try {
      await job.remove();
    } catch {
      // It started meanwhile: cancel it where it runs.
      await this.cancelRunning(job.queueName as AnyQueueName, jobId, reason || "cancelled by user");
      return this.waitFinal(jobId, 5000);
    }
    const tomb: JobMessage = { ...current, state: "JOB_STATE_CANCELLED", finished_at: new Date().toISOString(), error_code: "JOB_CANCELLED", error_message: `job ${jobId} cancelled before it started${reason ? `: ${reason}` : ""}` };
    await this.redis.set(`${QUEUE_PREFIX}:tombstone:${jobId}`, JSON.stringify(tomb), "EX", TOMBSTONE_TTL_S);
    return tomb;
  }

  /**
   * Fleet jobs that waited past `timeoutMs` on a queue no live worker consumes: removed and remembered as FAILED
   * with FLEET_NO_WORKER (a job some worker could take keeps waiting its turn). Returns the ids failed.
   */
  async failUnserved(servedQueues: ReadonlySet<string>, timeoutMs: number, now = Date.now()): Promise<string[]> {
    const failed: string[] = [];
    for (const [name, queue] of queueEntries(this.queues)) {
      if (!isFleetQueue(name) || servedQueues.has(name)) continue;
      for (const job of await queue.getJobs(["waiting", "prioritized", "delayed"], 0, 999)) {
        if (!job?.id || now - job.timestamp < timeoutMs) continue;
        const current = toJobMessage(job, "waiting");
        try {
          await job.remove();
        } catch {
          continue; // a worker took it meanwhile
        }
        const tomb: JobMessage = { ...current, state: "JOB_STATE_FAILED", finished_at: new Date(now).toISOString(), error_code: "FLEET_NO_WORKER", error_message: `job ${job.id} waited ${Math.round((now - job.timestamp) / 1000)} s and ${noWorkerNote(name)}` };
        await this.redis.set(`${QUEUE_PREFIX}:tombstone:${job.id}`, JSON.stringify(tomb), "EX", TOMBSTONE_TTL_S);
        failed.push(job.id);
      }
    }
    return failed;
  }

  /** Here when this daemon's workers run it (true); else broadcast to every worker process sharing the Redis. */
  private async cancelRunning(queue: AnyQueueName, jobId: string, reason: string): Promise<boolean> {
    if (this.workers.cancel(queue, jobId, reason)) return true;
    if (!this.cancelBus) throw new CortexError("JOB_INVALID_STATE", `job ${jobId} is running but not in this daemon's workers`);
    await this.cancelBus.publish({ jobId, reason });
    return false;
  }

  /**
   * A running job that did not stop within the cancel bound (its process never read the cancel: a blocked event
   * loop) is marked cancelled in its data, so no later run starts it, and its process is killed; the failed attempt
   * that the kill causes is then removed and the job ends CANCELLED, not FAILED, and is never retried.
   */
  private async killStuck(jobId: string, reason: string): Promise<JobMessage> {
    const found = await this.find(jobId);
    if (!found || found.state !== "active") return this.get(jobId);
    const { job } = found;
    const why = reason || "cancelled by user";
    await job.updateData({ ...(job.data as object), cancelled: why });
    const killed = this.workers.killJobProcess(job.queueName as AnyQueueName, jobId);
    return this.settleKilled(jobId, why, CANCEL_BOUND_MS, `it did not stop within ${CANCEL_BOUND_MS / 1000} s${killed ? "; its process was killed" : ""}`);
  }

  /**
   * Waits (up to `boundMs`) for a cancelled job to leave active. A job that stopped on its own is returned as it
   * ended; one whose process was killed (its data carries the cancel marker) failed an attempt instead, which may be
   * waiting for a retry: that attempt is removed and the job remembered as CANCELLED, never retried.
   */
  private async settleKilled(jobId: string, why: string, boundMs: number, how: string): Promise<JobMessage> {
    const deadline = Date.now() + boundMs;
    let now = await this.find(jobId);
    while (now?.state === "active" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = (await this.find(jobId)) ?? now;
    }
    if (!now || now.state === "active") return this.get(jobId); // the marker still stops every later run
    const current = await this.withChildFailure(toJobMessage(now.job, now.state), now.job);
    const marked = typeof (now.job.data as { cancelled?: unknown } | undefined)?.cancelled === "string";
    if (!marked || current.state === "JOB_STATE_CANCELLED" || current.state === "JOB_STATE_COMPLETED") return current;
    await now.job.remove().catch(() => undefined);
    const tomb: JobMessage = {
      ...current,
      state: "JOB_STATE_CANCELLED",
      finished_at: new Date().toISOString(),
      error_code: "JOB_CANCELLED",
      error_message: `job ${jobId} cancelled: ${why} (${how})`,
    };
    await this.redis.set(`${QUEUE_PREFIX}:tombstone:${jobId}`, JSON.stringify(tomb), "EX", TOMBSTONE_TTL_S);
    return tomb;
  }

  async retry(jobId: string): Promise<JobMessage> {
    this.requireRedis("retry the job");
    if (this.redis.status === "ready" && !this.redisAnswers()) throw new CortexError("REDIS_UNAVAILABLE", `Redis does not answer (stalled), so cortexd cannot retry it now; nothing was sent (cortex status shows when it answers again)`);
    const found = await this.find(jobId);
    if (!found) {
      const tomb = await this.get(jobId); // NOT_FOUND when there is nothing at all
      const kind = Object.entries(JOB_KINDS).find(([, k]) => k.type === tomb.type)?.[0] as JobKind | undefined;
      if (!kind) throw new CortexError("JOB_INVALID_STATE", `job ${jobId} cannot be retried`);
      // The cancel marker of a killed job (killStuck) stays with the cancelled job, not with its retry.
      const { cancelled: _marker, ...params } = JSON.parse(tomb.params_json) as { model: string; cancelled?: string };
      return (await this.submit(kind, params)).job;
    }
    if (found.state !== "failed") throw new CortexError("JOB_INVALID_STATE", `job ${jobId} is ${found.state}; only failed or cancelled jobs can be retried`);
    if ((found.job.data as { cancelled?: unknown } | undefined)?.cancelled !== undefined) {
      const { cancelled: _marker, ...data } = found.job.data as Record<string, unknown>;
      await found.job.updateData(data);
    }
    await found.job.retry("failed");
    return this.get(jobId);
  }

  private async waitFinal(jobId: string, timeoutMs: number): Promise<JobMessage> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    let last = await this.get(jobId);
    try {
      for await (const j of this.watch(jobId, ac.signal)) last = j;
    } finally {
      clearTimeout(timer);
    }
    return last;
  }
}


import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { CancelBus } from "../../src/jobs/cancel-bus.js";
import { singleRedis } from "../../src/redis/redis-target.js";
import { JobEvents } from "../../src/jobs/job-events.js";
import { JobManager } from "../../src/jobs/job-manager.js";
import { JobWorkers } from "../../src/jobs/job-workers.js";
import { closeQueues, createQueues, queueNamesOf } from "../../src/jobs/queues.js";
import { workerConfigFrom } from "../../src/jobs/worker-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/log/logger.js";
import { SCRIPTED } from "../helpers/job-harness.js";
import { startTestRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * #21: a cancel issued on the daemon must stop a job running on a `cortex worker` within 2 s even when the job does
 * not cooperate (its event loop is blocked, so it never reads the cancel). The worker side is the JobWorkers a
 * `cortex worker` builds (fleet queues + cancel bus, fleet-worker.ts) with the scripted fixture processor; the
 * daemon side is a JobManager whose own workers consume only the local queues, so the job is remote to it.
 */
async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const dir = tempDir(t as never, "rck");
  const redis = await startTestRedis(path.join(dir, "r"));
  const connection = { path: redis.socket };
  const { config } = loadConfig({ flags: { home: path.join(dir, "home") }, env: {} });
  const runtime = workerConfigFrom(config, "");
  const logger = createLogger("silent");
  const processors = { downloads: SCRIPTED, conversions: SCRIPTED, quantizations: SCRIPTED };
  const concurrency = { downloads: 1, conversions: 1, quantizations: 2 };

  const remoteBus = new CancelBus(singleRedis(connection));
  const remote = new JobWorkers({ connection, concurrency, runtime, logger, shutdownTimeoutMs: 5000, processors, queues: ["quantizations-gguf"], cancelBus: remoteBus });
  await remote.start();

  const queues = createQueues(connection, { fleet: true });
  const events = new JobEvents(connection, queueNamesOf({ fleet: true }));
  await events.ready();
  const local = new JobWorkers({ connection, concurrency, runtime, logger, shutdownTimeoutMs: 5000, processors });
  await local.start();
  const daemonBus = new CancelBus(singleRedis(connection));
  const client = new Redis(connection);
  const manager = new JobManager(queues, events, local, client, () => true, daemonBus);
  t.after(async () => {
    await remote.stop();
    await local.stop();
    remoteBus.close();
    daemonBus.close();
    await manager.close();
    await events.close();
    await closeQueues(queues);
    client.disconnect();
    await redis.stop();
  });
  return { dir, manager };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("fleet: a remote job that ignores its cancel is killed by its worker; the daemon's cancel answers CANCELLED within 2 s and the job never runs again", async (t) => {
  const { dir, manager } = await setup(t);
  const starts = path.join(dir, "starts");
  // A cooperative job beside it on the same worker must survive the kill (the right process goes).
  const otherStarts = path.join(dir, "other-starts");
  const other = await manager.submit("quantize", { model: "other", behaviour: "progress", steps: 60, stepMs: 50, startsFile: otherStarts }, { capability: "gguf" });
  const { job } = await manager.submit("quantize", { model: "stuck", behaviour: "block", stepMs: 120_000, startsFile: starts }, { capability: "gguf", attempts: 3 });
  assert.match(job.id, /^quant-gguf-/);
  for await (const j of manager.watch(job.id, AbortSignal.timeout(30_000))) if (j.state === "JOB_STATE_ACTIVE" && j.progress) break;
  await sleep(500); // inside the busy loop now
  const pid = Number(fs.readFileSync(starts, "utf8").trim());
  const otherPid = Number(fs.readFileSync(otherStarts, "utf8").trim());
  assert.notEqual(pid, otherPid);

  const t0 = performance.now();
  const cancelled = await manager.cancel(job.id, "stuck");
  const ms = performance.now() - t0;
  t.diagnostic(`remote stuck job cancelled in ${Math.round(ms)} ms`);
  assert.equal(cancelled.state, "JOB_STATE_CANCELLED", JSON.stringify(cancelled));
  assert.equal(cancelled.error_code, "JOB_CANCELLED");
  assert.match(cancelled.error_message, /stuck/);
  assert.ok(ms < 2000, `cancel took ${Math.round(ms)} ms`);
  assert.equal(alive(pid), false, "the stuck job's process is gone");
  assert.equal(alive(otherPid), true, "the other job's process was spared");

  await sleep(3_000); // past the retry backoff: it does not come back
  assert.equal((await manager.get(job.id)).state, "JOB_STATE_CANCELLED");
  assert.equal(fs.readFileSync(starts, "utf8").trim().split("\n").length, 1, "never started again");
  const done = await (async () => {
    for await (const j of manager.watch(other.job.id, AbortSignal.timeout(30_000))) if (j.state !== "JOB_STATE_ACTIVE" && j.state !== "JOB_STATE_QUEUED") return j;
    return manager.get(other.job.id);
  })();
  assert.equal(done.state, "JOB_STATE_COMPLETED", JSON.stringify(done));
});

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Redis } from "ioredis";
import { JobEvents } from "../../src/jobs/job-events.js";
import { JobManager } from "../../src/jobs/job-manager.js";
import { JobWorkers } from "../../src/jobs/job-workers.js";
import { closeQueues, createQueues } from "../../src/jobs/queues.js";
import { workerConfigFrom } from "../../src/jobs/worker-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/log/logger.js";
import { SCRIPTED } from "../helpers/job-harness.js";
import { startTestRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";

// QueueEvents is not exactly-once (streams are trimmed, a reader reconnects): WatchJob polls as a fallback. It did
// not: with no event reaching it, a watch of a running job never saw it end (found by the fleet cancel test).
test("a watch whose job's events never arrive still follows it to its end by polling", async (t) => {
  const dir = tempDir(t, "wfb");
  const redis = await startTestRedis(path.join(dir, "r"));
  const connection = { path: redis.socket };
  const { config } = loadConfig({ flags: { home: path.join(dir, "home") }, env: {} });
  const queues = createQueues(connection);
  const events = new JobEvents(connection, []); // hears nothing
  const workers = new JobWorkers({
    connection,
    concurrency: { downloads: 1, conversions: 1, quantizations: 1 },
    runtime: workerConfigFrom(config, ""),
    logger: createLogger("silent"),
    shutdownTimeoutMs: 5000,
    processors: { downloads: SCRIPTED, conversions: SCRIPTED, quantizations: SCRIPTED },
  });
  await workers.start();
  const client = new Redis(connection);
  const manager = new JobManager(queues, events, workers, client);
  t.after(async () => {
    await workers.stop();
    await closeQueues(queues);
    client.disconnect();
    await redis.stop();
  });
  const { job } = await manager.submit("pull", { model: "org/w", behaviour: "progress", steps: 10, stepMs: 50 });
  const states: string[] = [];
  for await (const j of manager.watch(job.id, AbortSignal.timeout(15_000))) states.push(j.state);
  assert.equal(states.at(-1), "JOB_STATE_COMPLETED", states.join(" "));
});

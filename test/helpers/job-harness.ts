import path from "node:path";
import { Redis } from "ioredis";
import { JobEvents } from "../../src/jobs/job-events.js";
import { JobManager } from "../../src/jobs/job-manager.js";
import { JobWorkers } from "../../src/jobs/job-workers.js";
import { closeQueues, createQueues } from "../../src/jobs/queues.js";
import { workerConfigFrom } from "../../src/jobs/worker-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/log/logger.js";
import { ROOT } from "./daemon.js";

export const SCRIPTED = path.join(ROOT, "dist", "test", "fixtures", "processors", "scripted.js");

/** The real job system (BullMQ on a real Redis, sandboxed child processes) without the gRPC layer. */
export async function jobHarness(redisSocket: string, home: string) {
  const connection = { path: redisSocket };
  const queues = createQueues(connection);
  const events = new JobEvents(connection);
  await events.ready();
  const { config } = loadConfig({ flags: { home }, env: {} });
  const makeWorkers = () =>
    new JobWorkers({
      connection,
      concurrency: { downloads: 2, conversions: 1, quantizations: 1 },
      runtime: workerConfigFrom(config, ""),
      logger: createLogger("silent"),
      shutdownTimeoutMs: 5000,
      processors: { downloads: SCRIPTED, conversions: SCRIPTED, quantizations: SCRIPTED },
    });
  let workers = makeWorkers();
  workers.start();
  const redis = new Redis(connection);
  let manager = new JobManager(queues, events, workers, redis);
  return {
    queues,
    get manager() {
      return manager;
    },
    get workers() {
      return workers;
    },
    /** Simulates a daemon restart of the job layer: stop workers (hand-back), start new ones. */
    async restartWorkers() {
      await workers.stop();
      workers = makeWorkers();
      workers.start();
      manager = new JobManager(queues, events, workers, redis);
    },
    async close() {
      await workers.stop();
      await events.close();
      await closeQueues(queues);
      redis.disconnect();
    },
  };
}

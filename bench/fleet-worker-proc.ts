import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/load-config.js";
import { CancelBus } from "../src/jobs/cancel-bus.js";
import { singleRedis } from "../src/redis/redis-target.js";
import { JobWorkers } from "../src/jobs/job-workers.js";
import { workerConfigFrom } from "../src/jobs/worker-config.js";
import { WorkerHeartbeat } from "../src/jobs/worker-registry.js";
import { createLogger } from "../src/log/logger.js";
import { Redis } from "ioredis";

/**
 * One fleet worker process for bench/fleet: what `cortex worker` runs (JobWorkers on a fleet queue, sandboxed
 * children, the cancel bus, the heartbeat), with the synthetic processor instead of the quantizer.
 */
const connection = { path: process.env.BENCH_REDIS! };
const home = process.env.BENCH_HOME!;
const { config } = loadConfig({ flags: { home }, env: {} });
const bus = new CancelBus(singleRedis(connection));
const redis = new Redis(connection);
const workers = new JobWorkers({
  connection,
  concurrency: { downloads: 1, conversions: 1, quantizations: Number(process.env.BENCH_CONCURRENCY ?? 1) },
  runtime: workerConfigFrom(config, ""),
  logger: createLogger("silent"),
  shutdownTimeoutMs: 2000,
  processors: { quantizations: path.join(path.dirname(fileURLToPath(import.meta.url)), "fleet-processor.js") },
  queues: ["quantizations-gguf"],
  cancelBus: bus,
});
const heartbeat = new WorkerHeartbeat(redis, { id: `bench-${process.pid}`, role: "worker", host: os.hostname(), pid: process.pid, version: "bench", queues: ["quantizations-gguf"], capabilities: ["gguf"], shared_roots: [], started_at: new Date().toISOString() }, () => workers.runningJobIds());
await workers.start();
await heartbeat.start();
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void (async () => {
    await workers.stop();
    await heartbeat.stop();
    bus.close();
    redis.disconnect();
    process.exit(0);
  })();
});

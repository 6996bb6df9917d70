import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { LoadedConfig } from "../config/load-config.js";
import { homePaths } from "../config/paths.js";
import { parseList } from "../config/worker-flags.js";
import { CortexError } from "../errors/cortex-error.js";
import { HealthServer } from "../grpc/health-server.js";
import { CancelBus } from "../jobs/cancel-bus.js";
import { JobWorkers } from "../jobs/job-workers.js";
import { CAPABILITIES, FLEET_BASE_QUEUES, fleetQueue, isCapability, type Capability, type FleetBaseQueue, type FleetQueueName } from "../jobs/queue-names.js";
import { workerConfigFrom } from "../jobs/worker-config.js";
import { WorkerHeartbeat } from "../jobs/worker-registry.js";
import type { Logger } from "../log/logger.js";
import { runStops } from "./run-stops.js";
import { LockFile } from "../platform/lock-file.js";
import { removeStaleSocket } from "../platform/unix-socket.js";
import { startRedis, type RedisHandle } from "../redis/redis-handle.js";
import { VERSION } from "../version.js";
import { resolveHubToken } from "./hf-token.js";
import { moveLegacyKeys } from "./move-legacy-keys.js";
import { prepareHome } from "./prepare-home.js";

export interface FleetWorkerOptions {
  queues: readonly FleetBaseQueue[];
  capabilities: readonly Capability[];
  concurrency?: number;
  healthSocket?: string;
}

export { CAPABILITIES, FLEET_BASE_QUEUES, isCapability, parseList };

/**
 * `cortex worker`: job workers for the fleet queues it is given, on an external Redis; no inference pool and no
 * cortex.v1 API, only grpc.health on its own socket. Registers itself (heartbeat) so every daemon's status lists
 * it. Stop: NOT_SERVING → running jobs back to the queue (no attempt spent) → deregister → Redis → lock.
 */
export class FleetWorker {
  private constructor(
    private readonly stops: { name: string; stop: () => Promise<void> | void }[],
    readonly id: string,
    readonly queues: FleetQueueName[],
    private readonly logger: Logger,
  ) {}

  static async start(loaded: LoadedConfig, opts: FleetWorkerOptions, logger: Logger): Promise<FleetWorker> {
    const { config } = loaded;
    if (!config.redisUrl) throw new CortexError("CFG_INVALID", "cortex worker needs the fleet's Redis: set CORTEX_REDIS_URL (or --redis-url), e.g. rediss://worker:<password>@redis.example:6380");
    const paths = homePaths(config.home);
    const stops: FleetWorker["stops"] = [];
    const run = async () => {
      prepareHome(paths);
      const lock = LockFile.acquire(path.join(config.home, "worker.lock"));
      stops.push({ name: "lock", stop: () => lock.release() });
      const healthSocket = opts.healthSocket ?? path.join(config.home, "worker.sock");
      await removeStaleSocket(healthSocket, "cortex worker");
      const health = new HealthServer(healthSocket);
      await health.start();
      stops.push({ name: "health", stop: () => health.stop(config.shutdownTimeoutMs) });

      const redis: RedisHandle = await startRedis({ url: config.redisUrl, options: config.redisOptions, cluster: config.redisCluster, binary: config.redisServer, dir: paths.redisDir, socket: paths.redisSocket, logger });
      stops.push({ name: "redis", stop: () => redis.stop() });
      await moveLegacyKeys(redis, logger);
      const queues = opts.queues.flatMap((q) => opts.capabilities.map((c) => fleetQueue(q, c)));
      const id = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
      const bus = new CancelBus(redis.target);
      stops.push({ name: "cancel-bus", stop: () => bus.close() });
      let heartbeat: WorkerHeartbeat | undefined;
      const concurrency = opts.concurrency ?? config.conversionConcurrency;
      const workers = new JobWorkers({
        connection: redis.bullmq,
        concurrency: { downloads: 1, conversions: concurrency, quantizations: concurrency },
        runtime: workerConfigFrom(config, resolveHubToken(config)),
        logger,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        queues,
        cancelBus: bus,
        onRunningChange: () => void heartbeat?.beat().catch(() => undefined),
      });
      heartbeat = new WorkerHeartbeat(redis.client, {
        id,
        role: "worker",
        host: os.hostname(),
        pid: process.pid,
        version: VERSION,
        queues,
        capabilities: [...opts.capabilities],
        shared_roots: [...config.sharedRoots],
        started_at: new Date().toISOString(),
      }, () => workers.runningJobIds());
      // Deregistered after the jobs went back: status never shows a job on a worker that let it go.
      stops.push({ name: "heartbeat", stop: () => heartbeat!.stop() });
      await workers.start();
      stops.push({ name: "job-workers", stop: () => workers.stop() });
      await heartbeat.start();
      stops.push({ name: "serving", stop: () => health.setServing(false) });
      health.setServing(true);
      // NOT_SERVING while Redis is lost: a probe sees a worker that cannot take jobs.
      const watch = setInterval(() => health.setServing(redis.healthy()), 2000);
      watch.unref();
      stops.push({ name: "redis-watch", stop: () => clearInterval(watch) });
      logger.info({ id, queues, home: config.home, health: healthSocket, redis: redis.address, pid: process.pid }, "cortex worker ready");
      return new FleetWorker(stops, id, queues, logger);
    };
    try {
      return await run();
    } catch (err) {
      await runStops(stops, logger);
      throw err;
    }
  }

  private stopping: Promise<void> | undefined;

  stop(): Promise<void> {
    this.stopping ??= runStops(this.stops, this.logger);
    return this.stopping;
  }
}

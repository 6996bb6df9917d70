import { loadConfig } from "../config/load-config.js";
import type { ConfigKey } from "../config/schema.js";
import { parseConcurrency, type WorkerFlags } from "../config/worker-flags.js";
import { readEnvFile } from "../config/env-file.js";
import { CortexError, isCortexError, toCortexError } from "../errors/cortex-error.js";
import { createLogger } from "../log/logger.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { CAPABILITIES, FLEET_BASE_QUEUES, FleetWorker, parseList } from "./fleet-worker.js";

/**
 * A `cortex worker`'s whole life: config, start, signals, graceful stop. Returns the exit code (as runDaemon does).
 * SIGTERM/SIGINT hand running jobs back to the queue without spending an attempt; a second signal exits at once.
 */
export async function runWorker(opts: WorkerFlags): Promise<number> {
  const flags: Partial<Record<ConfigKey, unknown>> = {};
  if (opts.home !== undefined) flags.home = opts.home;
  if (opts.redisUrl !== undefined) flags.redisUrl = opts.redisUrl;
  if (opts.logLevel !== undefined) flags.logLevel = opts.logLevel;
  let loaded;
  let workerOpts;
  try {
    // A service's secrets come from its env file (service-files.ts writes it), over the environment it started with.
    const env = opts.envFile ? { ...process.env, ...readEnvFile(opts.envFile) } : process.env;
    loaded = loadConfig({ flags, env, ...(opts.config ? { configFile: opts.config } : {}) });
    const concurrency = parseConcurrency(opts.concurrency);
    workerOpts = {
      queues: parseList("--queues", opts.queues ?? "conversions,quantizations", FLEET_BASE_QUEUES),
      capabilities: parseList("--capabilities", opts.capabilities ?? "gguf,mlx", CAPABILITIES),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(opts.healthSocket ? { healthSocket: opts.healthSocket } : {}),
    };
  } catch (err) {
    const ce = toCortexError(err);
    process.stderr.write(`cortex worker: ${ce.message}\n`);
    return exitCodeFor(ce.code);
  }
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const logger = createLogger(loaded.config.logLevel);
  let worker: FleetWorker;
  try {
    worker = await FleetWorker.start(loaded, workerOpts, logger);
  } catch (err) {
    const ce = toCortexError(err);
    logger.fatal({ code: ce.code, err: ce.message }, "cortex worker could not start");
    process.stderr.write(`cortex worker: ${ce.message}\n`);
    return isCortexError(err) ? exitCodeFor(ce.code) : EXIT.SOFTWARE;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) return resolve(EXIT.SOFTWARE);
      logger.info({ signal }, "worker shutting down: running jobs go back to the queue");
      setTimeout(() => resolve(EXIT.SOFTWARE), loaded.config.shutdownTimeoutMs * 2).unref();
      worker.stop().then(
        () => {
          logger.info("cortex worker stopped");
          resolve(EXIT.OK);
        },
        () => resolve(EXIT.SOFTWARE),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("SIGHUP", () => logger.info("SIGHUP ignored: config is read only at start"));
  });
}

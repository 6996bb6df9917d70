import { loadConfig } from "../config/load-config.js";
import type { ConfigKey } from "../config/schema.js";
import type { DaemonFlags } from "../config/daemon-flags.js";
import { isCortexError, toCortexError } from "../errors/cortex-error.js";
import { createLogger } from "../log/logger.js";
import { Daemon } from "./daemon.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";

/**
 * The daemon's whole life. The only place that installs signal handlers and decides the exit code.
 * Returns the exit code instead of exiting, so the CLI's `cortex daemon` can share it.
 */
export async function runDaemon(opts: DaemonFlags): Promise<number> {
  const flags: Partial<Record<ConfigKey, unknown>> = {};
  if (opts.home !== undefined) flags.home = opts.home;
  if (opts.listen !== undefined) flags.listen = opts.listen;
  if (opts.http !== undefined) flags.http = opts.http;
  if (opts.httpNoAuth) flags.httpNoAuth = true;
  if (opts.redisUrl !== undefined) flags.redisUrl = opts.redisUrl;
  if (opts.tlsCert !== undefined) flags.tlsCert = opts.tlsCert;
  if (opts.tlsKey !== undefined) flags.tlsKey = opts.tlsKey;
  if (opts.tlsClientCa !== undefined) flags.tlsClientCa = opts.tlsClientCa;
  if (opts.logLevel !== undefined) flags.logLevel = opts.logLevel;

  let loaded;
  try {
    loaded = loadConfig({ flags, ...(opts.config ? { configFile: opts.config } : {}) });
  } catch (err) {
    const ce = toCortexError(err);
    process.stderr.write(`cortexd: ${ce.message}\n`);
    return exitCodeFor(ce.code);
  }
  // A terminal closed or a log pipe broken makes every write fail (EPIPE/EIO). Unhandled, each failure became an
  // uncaught exception whose fatal log line failed again: the daemon spun on the CPU and never exited.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const logger = createLogger(loaded.config.logLevel);

  let daemon: Daemon;
  try {
    daemon = await Daemon.start(loaded, logger);
  } catch (err) {
    const ce = toCortexError(err);
    logger.fatal({ code: ce.code, err: ce.message }, "cortexd could not start");
    process.stderr.write(`cortexd: ${ce.message}\n`);
    return isCortexError(err) ? exitCodeFor(ce.code) : EXIT.SOFTWARE;
  }

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.warn({ signal }, "second signal: exiting now");
        resolve(EXIT.SOFTWARE);
        return;
      }
      logger.info({ signal }, "shutting down");
      const hardStop = setTimeout(() => {
        logger.error("graceful shutdown timed out; exiting");
        resolve(EXIT.SOFTWARE);
      }, loaded.config.shutdownTimeoutMs * 2);
      hardStop.unref();
      daemon.stop().then(
        () => {
          logger.info("cortexd stopped");
          resolve(EXIT.OK);
        },
        () => resolve(EXIT.SOFTWARE),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("SIGHUP", () => logger.info("SIGHUP ignored: config is read only at start; restart cortexd to apply changes"));
    let crashed = false;
    process.on("uncaughtException", (err) => {
      if (crashed) return; // already stopping: a second failure must not start another stop (or loop)
      crashed = true;
      logger.fatal({ err: err.message, stack: err.stack }, "uncaught exception");
      daemon.stop().finally(() => resolve(EXIT.SOFTWARE));
    });
  });
}

export { daemonCommand } from "../config/daemon-flags.js";

import { Command, Option } from "commander";
import { VERSION } from "../version.js";

/** The flags of `cortex worker` (a fleet worker: job workers only, no inference pool, no cortex.v1 API). */
export interface WorkerFlags {
  home?: string;
  redisUrl?: string;
  logLevel?: string;
  config?: string;
  queues?: string;
  capabilities?: string;
  healthSocket?: string;
  concurrency?: string;
}

/** Declared apart from the worker itself, so `cortex` can offer `worker` without loading it. */
export function workerCommand(name: string): Command {
  return new Command(name)
    .description("Run a fleet worker in the foreground: it takes conversion and quantization jobs from a shared Redis (CORTEX_REDIS_URL)")
    .option("--home <dir>", "this worker's CORTEX_HOME (default ~/.cortex)")
    .option("--redis-url <url>", "the fleet's Redis (redis://, rediss://user:password@host:port, or a unix socket path); CORTEX_REDIS_URL")
    .option("--queues <list>", "kinds of work to take, comma-separated: conversions, quantizations", "conversions,quantizations")
    .option("--capabilities <list>", "output formats this machine makes, comma-separated: gguf, mlx", "gguf,mlx")
    .option("--concurrency <n>", "jobs per queue at once (default: config conversionConcurrency)")
    .option("--health-socket <path>", "where grpc.health.v1 answers (default $CORTEX_HOME/worker.sock)")
    .addOption(new Option("--log-level <level>", "log level").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]))
    .option("--config <file>", "config file (default $CORTEX_HOME/config.json)")
    .version(VERSION);
}

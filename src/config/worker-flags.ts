import { Command, Option } from "commander";
import { CortexError } from "../errors/cortex-error.js";
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
  envFile?: string;
}

/** "conversions,quantizations" → the names, each checked (an unknown word is an error naming it, never dropped). */
export function parseList<T extends string>(flag: string, text: string, known: readonly T[]): T[] {
  const words = text.split(",").map((w) => w.trim()).filter(Boolean);
  if (!words.length) throw new CortexError("CFG_INVALID", `${flag}: name at least one of ${known.join(", ")}`);
  for (const w of words) if (!(known as readonly string[]).includes(w)) throw new CortexError("CFG_INVALID", `${flag}: "${w}" is not one of ${known.join(", ")}`);
  return [...new Set(words)] as T[];
}

/** --concurrency: a whole number from 1 to 64 (undefined when not given). */
export function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new CortexError("CFG_INVALID", `--concurrency: "${text}" is not a whole number from 1 to 64`);
  return n;
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
    .option("--env-file <file>", "read NAME=value lines (CORTEX_REDIS_URL, HF_TOKEN…) from this mode-600 file before the config: secrets a service file must not hold")
    .version(VERSION);
}

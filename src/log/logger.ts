import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

/** Paths that may hold secrets anywhere in a log object; pino replaces them before serialising. */
const REDACT = [
  "token", "hfToken", "redisUrl", "authorization", "password",
  "*.token", "*.hfToken", "*.redisUrl", "*.authorization", "*.password", "headers.authorization",
];

/** Structured JSON logs to stdout (launchd/systemd collect them). */
export function createLogger(level: LevelWithSilent, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, name: "cortexd" },
      redact: { paths: REDACT, censor: "***" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as pino.DestinationStream,
  );
}

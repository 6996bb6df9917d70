import fs from "node:fs";
import { CortexError } from "../errors/cortex-error.js";

/**
 * A service's secrets file (`cortex worker --env-file`): what a launchd plist or systemd unit must not carry in
 * itself or on a command line (both are world-readable and backed up) — the Redis URL with its password, the Hub
 * token. One `NAME=value` per line, the value taken as written to the end of the line (no quotes, no escapes, no
 * expansion); blank lines and lines starting with `#` are skipped. Anything else is an error naming the line, never
 * its text (it may hold a secret). The file must be private to its owner (mode 600), as ssh insists for its keys.
 */
export function readEnvFile(file: string): Record<string, string> {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CortexError("CFG_INVALID", `--env-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!stat.isFile()) throw new CortexError("CFG_INVALID", `--env-file ${file}: not a regular file`);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    throw new CortexError("CFG_INVALID", `--env-file ${file}: readable by others (mode ${(stat.mode & 0o777).toString(8)}); it holds secrets: chmod 600 it`);
  }
  return parseEnvFile(text, `--env-file ${file}`);
}

/** The variables of an env file's text (see readEnvFile); `what` names the file in errors. */
export function parseEnvFile(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.replace(/\r$/, ""));
    if (!m) throw new CortexError("CFG_INVALID", `${what}: line ${i + 1} is not NAME=value`);
    if (m[1]! in out) throw new CortexError("CFG_INVALID", `${what}: line ${i + 1} sets ${m[1]} a second time`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** An env file's text for `vars` (readEnvFile reads it back unchanged); a value that cannot be written is an error. */
export function formatEnvFile(vars: Record<string, string>, header: string): string {
  const lines = header.split("\n").map((l) => `# ${l}`.trimEnd());
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new CortexError("CFG_INVALID", `env file: "${k}" is not a variable name`);
    if (/[\r\n]/.test(v)) throw new CortexError("CFG_INVALID", `env file: the value of ${k} holds a line break, which an env file cannot carry`);
    lines.push(`${k}=${v}`);
  }
  return `${lines.join("\n")}\n`;
}

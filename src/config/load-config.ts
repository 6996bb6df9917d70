import { expandHome } from "./text-values.js";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { CortexError } from "../errors/cortex-error.js";
import { jsonErrorOffset } from "./json-error-position.js";
import { configSchema, defaultConfig, SETTINGS, type Config, type ConfigKey } from "./schema.js";

export type ConfigSource = "flag" | "env" | "file" | "default";

export interface LoadedConfig {
  config: Config;
  sources: Record<ConfigKey, ConfigSource>;
  /** The config.json that was read (it may not exist). */
  file: string;
}

export interface LoadConfigInput {
  /** Values from command-line flags, already keyed by config key. */
  flags?: Partial<Record<ConfigKey, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** Explicit config file; default $CORTEX_HOME/config.json. */
  configFile?: string;
  homedir?: string;
}

/**
 * flags > environment (CORTEX_*, HF_*) > $CORTEX_HOME/config.json > defaults; validated, then frozen.
 * Called once at boot; nothing else reads the environment.
 */
export function loadConfig(input: LoadConfigInput = {}): LoadedConfig {
  const env = input.env ?? process.env;
  const flags = input.flags ?? {};
  const homedir = input.homedir ?? os.homedir();
  const defaults = defaultConfig(env, homedir) as Record<string, unknown>;

  const envValues: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [ConfigKey, (typeof SETTINGS)[ConfigKey]][]) {
    if (spec.fromEnv) {
      const v = spec.fromEnv(env, homedir);
      if (v !== undefined) envValues[key] = v;
      continue;
    }
    const raw = spec.env ? env[spec.env] : undefined;
    if (raw !== undefined && raw !== "") envValues[key] = coerceEnv(key, spec.env!, raw, defaults[key]);
  }
  const home = expandHome(String(flags.home ?? envValues.home ?? defaults.home), input.homedir);
  const file = input.configFile ?? path.join(home, "config.json");
  const fileValues = readConfigFile(file);
  for (const key of Object.keys(fileValues)) {
    if (!(key in SETTINGS)) throw new CortexError("CFG_INVALID", `unknown key "${key}" in ${file} (known keys: ${Object.keys(SETTINGS).join(", ")})`);
  }

  const merged: Record<string, unknown> = {};
  const sources = {} as Record<ConfigKey, ConfigSource>;
  for (const key of Object.keys(SETTINGS) as ConfigKey[]) {
    if (flags[key] !== undefined) [merged[key], sources[key]] = [flags[key], "flag"];
    else if (envValues[key] !== undefined) [merged[key], sources[key]] = [envValues[key], "env"];
    else if (fileValues[key] !== undefined) [merged[key], sources[key]] = [fileValues[key], "file"];
    else [merged[key], sources[key]] = [defaults[key], "default"];
  }
  merged.home = home;

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    const where = describeSource(key as ConfigKey, sources[key as ConfigKey], file);
    throw new CortexError("CFG_INVALID", `invalid config "${issue.path.join(".")}" (${where}): ${issue.message}`);
  }
  const data = result.data;
  const config: Config = {
    ...data,
    home: path.resolve(data.home),
    hfHubCache: path.resolve(expandHome(data.hfHubCache, input.homedir)),
    hfTokenPath: path.resolve(expandHome(data.hfTokenPath, input.homedir)),
    modelDirs: Object.freeze(data.modelDirs.map((d) => path.resolve(expandHome(d, input.homedir)))),
    sharedRoots: Object.freeze(data.sharedRoots.map((d) => path.resolve(d))),
  };
  return { config: Object.freeze(config), sources: Object.freeze(sources), file };
}

function describeSource(key: ConfigKey, source: ConfigSource | undefined, file: string): string {
  const spec = SETTINGS[key];
  if (source === "env" && spec?.env) return `from environment ${spec.env}`;
  if (source === "flag" && spec?.flag) return `from flag ${spec.flag}`;
  if (source === "file") return `from ${file}`;
  return "default";
}

function coerceEnv(key: ConfigKey, name: string, raw: string, example: unknown): unknown {
  if (typeof example === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new CortexError("CFG_INVALID", `invalid environment ${name}="${raw}": expected 1/0, true/false`);
  }
  if (Array.isArray(example)) return raw.split(SETTINGS[key].listSeparator ?? path.delimiter).map((x) => x.trim()).filter(Boolean);
  if (typeof example === "object" && example !== null) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new CortexError("CFG_INVALID", `invalid environment ${name}: expected a JSON object`);
    }
  }
  if (typeof example === "number" && !key.endsWith("Bytes")) {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new CortexError("CFG_INVALID", `invalid environment ${name}="${raw}": expected a number`);
    return n;
  }
  return raw;
}

/** Reads config.json; a syntax error names the file, line, column and reason. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    // ENOTDIR: home is not a directory; prepareHome reports that with a clearer message.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return {};
    throw new CortexError("CFG_FILE_CORRUPT", `cannot read config file ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text) ?? 0;
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    const found = offset >= text.length ? "unexpected end of input" : `unexpected ${JSON.stringify(text[offset])}`;
    throw new CortexError("CFG_FILE_CORRUPT", `config file ${file}:${line}:${column} is not valid JSON: ${found}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CortexError("CFG_FILE_CORRUPT", `config file ${file}:1:1 must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The table `cortex config` prints: effective value, source, meaning; secrets redacted. */
export function describeConfig(loaded: LoadedConfig): { key: string; value: string; source: ConfigSource; description: string; env?: string }[] {
  return (Object.keys(SETTINGS) as ConfigKey[]).map((key) => {
    const spec = SETTINGS[key];
    const raw = loaded.config[key];
    const unset = raw === "" || (typeof raw === "object" && raw !== null && !Array.isArray(raw) && Object.keys(raw).length === 0);
    const value = spec.secret && !unset ? JSON.stringify("***") : JSON.stringify(raw);
    return { key, value, source: loaded.sources[key], description: spec.description, ...(spec.env ? { env: spec.env } : {}) };
  });
}

export { expandHome } from "./text-values.js";

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parsePlist } from "plist";
import { formatEnvFile } from "../config/env-file.js";
import { hfEndpointFromEnv, hfHubCacheFromEnv, hfTokenFromEnv, hfTokenPath, hfTokenPathFromEnv, resolveHfHome } from "../config/hf-env.js";
import { CortexError } from "../errors/cortex-error.js";

export const LAUNCHD_LABEL = "io.cortexd.daemon";
export const SYSTEMD_UNIT = "cortexd.service";

/** What a service runs: the daemon (cortexd) or a fleet worker (`cortex worker`). */
export const SERVICE_ROLES = ["daemon", "worker"] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];
/** Per role: launchd label (= template launchd/<label>.plist) and systemd unit (= template launchd/<unit>). */
export const SERVICE_NAMES: Record<ServiceRole, { label: string; unit: string }> = {
  daemon: { label: LAUNCHD_LABEL, unit: SYSTEMD_UNIT },
  worker: { label: "io.cortexd.worker", unit: "cortexd-worker.service" },
};

/** The package root (holds launchd/ and dist/), found upward from this file. */
export function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "launchd", `${LAUNCHD_LABEL}.plist`))) return dir;
    if (path.dirname(dir) === dir) throw new Error("launchd/ templates not found above the cortexd install");
  }
}

export interface ServiceValues {
  label: string;
  /** The systemd unit's file name. */
  unit: string;
  node: string;
  main: string;
  home: string;
  path: string;
  logDir: string;
  readme: string;
  /** Variables beyond PATH and CORTEX_HOME, as the shell at install time resolved them. */
  environment: Record<string, string>;
  /** What the user should know about the environment (a token the service will not get). */
  notes: string[];
  /** Arguments after MAIN, for templates with {{ARGS}} (the worker's). */
  args: string[];
  /** Secrets the service reads from a mode-600 file instead of its own (world-readable) file. */
  envFile?: { path: string; content: string; names: string[] };
}

/**
 * What the service must see to find what the shell finds: launchd and systemd --user start cortexd without the
 * login shell's variables, so a cache on a data disk or a mirror endpoint would silently differ. The HF values are
 * written resolved, as huggingface_hub resolves them (legacy names, ~ and $VAR expanded). A token is never
 * written into a service file (readable, backed up, synced); when one is set only in the shell, a note says how
 * the service gets it instead.
 */
export function serviceEnvironment(env: NodeJS.ProcessEnv, homedir: string): { environment: Record<string, string>; notes: string[] } {
  const environment: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== "") environment[k] = v;
  };
  if (env.HF_HOME || env.XDG_CACHE_HOME) set("HF_HOME", resolveHfHome(env, homedir));
  set("HF_HUB_CACHE", hfHubCacheFromEnv(env, homedir));
  set("HF_ENDPOINT", hfEndpointFromEnv(env));
  set("HF_TOKEN_PATH", hfTokenPathFromEnv(env, homedir));
  set("CORTEX_MODEL_DIRS", env.CORTEX_MODEL_DIRS);
  const notes: string[] = [];
  const tokenVar = env.HF_TOKEN?.trim() ? "HF_TOKEN" : env.HUGGING_FACE_HUB_TOKEN?.trim() ? "HUGGING_FACE_HUB_TOKEN" : undefined;
  if (tokenVar && hfTokenFromEnv(env)) {
    notes.push(`${tokenVar} is set in this shell only: the service file never holds a token, so the service reads the token file ${hfTokenPath(env, homedir)} instead — \`hf auth login\` writes it, or put the token in a file (mode 600) and set HF_TOKEN_PATH before installing`);
  }
  return { environment, notes };
}

export function defaultServiceValues(home: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform, homedir = os.homedir()): ServiceValues {
  const root = packageRoot();
  // launchd starts agents with a bare PATH; keep the user's so redis-server (e.g. /opt/homebrew/bin) is found.
  const extra = platform === "darwin" ? ["/opt/homebrew/bin", "/usr/local/bin"] : ["/usr/local/bin"];
  const pathValue = [...new Set([...(env.PATH ?? "").split(path.delimiter).filter((p) => path.isAbsolute(p)), ...extra, "/usr/bin", "/bin"])].join(path.delimiter);
  return {
    label: LAUNCHD_LABEL,
    unit: SYSTEMD_UNIT,
    args: [],
    node: process.execPath,
    main: path.join(root, "dist", "src", "main.js"),
    home,
    path: pathValue,
    logDir: platform === "darwin" ? path.join(homedir, "Library", "Logs", "cortexd") : path.join(home, "logs"),
    readme: path.join(root, "README.md"),
    ...serviceEnvironment(env, homedir),
  };
}

export interface WorkerServiceFlags {
  queues: readonly string[];
  capabilities: readonly string[];
  concurrency?: number;
}

/**
 * A fleet worker's service (`cortex service install --role worker`): runs `cortex worker` with its flags. What the
 * shell has for the fleet goes with it: CORTEX_SHARED_ROOTS and the HF_* values in the service file, and the
 * secrets — CORTEX_REDIS_URL (its password), CORTEX_REDIS_OPTIONS (may hold a Sentinel or TLS password), the Hub
 * token (a worker pushes outputs) — in $CORTEX_HOME/worker.env (mode 600), which the worker reads (--env-file).
 */
export function workerServiceValues(home: string, flags: WorkerServiceFlags, env: NodeJS.ProcessEnv = process.env, platform = process.platform, homedir = os.homedir()): ServiceValues {
  const base = defaultServiceValues(home, env, platform, homedir);
  const redisUrl = env.CORTEX_REDIS_URL?.trim();
  if (!redisUrl) {
    throw new CortexError("CFG_INVALID", "a worker service needs the fleet's Redis: set CORTEX_REDIS_URL in this shell (e.g. rediss://worker:<password>@redis.example:6380); it goes into the worker's env file (mode 600), never into the service file");
  }
  const secrets: Record<string, string> = { CORTEX_REDIS_URL: redisUrl };
  if (env.CORTEX_REDIS_OPTIONS?.trim()) secrets.CORTEX_REDIS_OPTIONS = env.CORTEX_REDIS_OPTIONS.trim();
  const token = hfTokenFromEnv(env);
  if (token) secrets.HF_TOKEN = token;
  const envPath = path.join(home, "worker.env");
  const environment = { ...base.environment, ...(env.CORTEX_SHARED_ROOTS?.trim() ? { CORTEX_SHARED_ROOTS: env.CORTEX_SHARED_ROOTS.trim() } : {}) };
  const notes = [
    `the Redis URL${secrets.CORTEX_REDIS_OPTIONS ? ", CORTEX_REDIS_OPTIONS" : ""}${token ? " and the Hub token" : ""} go into ${envPath} (mode 600), which only the worker reads`,
    ...(token ? [] : [`no HF_TOKEN in this shell: the worker reads the token file ${hfTokenPath(env, homedir)} (\`hf auth login\` writes it); jobs that push to the Hub need one`]),
  ];
  const args = ["worker", "--home", home, "--env-file", envPath, "--queues", flags.queues.join(","), "--capabilities", flags.capabilities.join(","), ...(flags.concurrency !== undefined ? ["--concurrency", String(flags.concurrency)] : [])];
  return {
    ...base,
    ...SERVICE_NAMES.worker,
    main: path.join(packageRoot(), "dist", "src", "cli", "main.js"),
    environment,
    notes,
    args,
    envFile: { path: envPath, content: formatEnvFile(secrets, "cortex worker's secrets (cortex service install --role worker); keep mode 600"), names: Object.keys(secrets) },
  };
}

/**
 * `lines` fill placeholders alone on their line (one output line each, indented alike: EXTRA_ENV, the plist's
 * ARGS), already in the file's syntax; `raw` inline ones already escaped (the unit's ARGS); every other a value,
 * escaped here.
 */
function fill(template: string, v: ServiceValues, escape: (s: string) => string, lines: Record<string, string[]>, raw: Record<string, string> = {}): string {
  const map: Record<string, string> = { LABEL: v.label, NODE: v.node, MAIN: v.main, HOME: v.home, PATH: v.path, LOG_DIR: v.logDir, README: v.readme };
  return template
    .replace(/^([ \t]*)\{\{([A-Z_]+)\}\}\n/gm, (m, indent: string, key: string) => (lines[key] ? lines[key].map((l) => `${indent}${l}\n`).join("") : m))
    .replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
      if (raw[key] !== undefined) return raw[key];
      const value = map[key];
      if (value === undefined) throw new Error(`unknown placeholder {{${key}}} in service template`);
      return escape(value);
    });
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** systemd splits ExecStart on spaces and expands % specifiers: quote and escape. */
const systemdEscape = (s: string) => (/[\s"\\]/.test(s) ? `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : s).replace(/%/g, "%%");

/** systemd's Environment="K=V": backslash and quote escaped, % doubled (specifiers); $ is not expanded there. */
const systemdEnv = (k: string, value: string) => `Environment="${k}=${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;

/** The LaunchAgent plist, from launchd/io.cortexd.daemon.plist; parsed back to prove it is valid. */
export function renderLaunchdPlist(v: ServiceValues): string {
  const extra = Object.entries(v.environment).flatMap(([k, value]) => [`<key>${xmlEscape(k)}</key>`, `<string>${xmlEscape(value)}</string>`]);
  const args = v.args.map((a) => `<string>${xmlEscape(a)}</string>`);
  const text = fill(fs.readFileSync(path.join(packageRoot(), "launchd", `${v.label}.plist`), "utf8"), v, xmlEscape, { EXTRA_ENV: extra, ARGS: args });
  parsePlist(text);
  return text;
}

/**
 * PATH, CORTEX_HOME and the rest as Environment="K=V" lines; WorkingDirectory= takes its path as written to the
 * end of the line (quotes would become part of it: a home with a space failed systemd-analyze verify), % doubled.
 */
export function renderSystemdUnit(v: ServiceValues): string {
  const extra = Object.entries({ PATH: v.path, CORTEX_HOME: v.home, ...v.environment }).map(([k, value]) => systemdEnv(k, value));
  return fill(fs.readFileSync(path.join(packageRoot(), "launchd", v.unit), "utf8"), v, systemdEscape, { EXTRA_ENV: extra }, { ARGS: v.args.map(systemdEscape).join(" "), WORKDIR: v.home.replace(/%/g, "%%") });
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parsePlist } from "plist";
import { hfEndpointFromEnv, hfHubCacheFromEnv, hfTokenFromEnv, hfTokenPath, hfTokenPathFromEnv, resolveHfHome } from "../config/hf-env.js";

export const LAUNCHD_LABEL = "io.cortexd.daemon";
export const SYSTEMD_UNIT = "cortexd.service";

/** The package root (holds launchd/ and dist/), found upward from this file. */
export function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "launchd", `${LAUNCHD_LABEL}.plist`))) return dir;
    if (path.dirname(dir) === dir) throw new Error("launchd/ templates not found above the cortexd install");
  }
}

export interface ServiceValues {
  label: string;
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
    node: process.execPath,
    main: path.join(root, "dist", "src", "main.js"),
    home,
    path: pathValue,
    logDir: platform === "darwin" ? path.join(homedir, "Library", "Logs", "cortexd") : path.join(home, "logs"),
    readme: path.join(root, "README.md"),
    ...serviceEnvironment(env, homedir),
  };
}

/** {{EXTRA_ENV}} takes `extraEnv`, already in the file's syntax; every other placeholder a value, escaped. */
function fill(template: string, v: ServiceValues, escape: (s: string) => string, extraEnv: string): string {
  const map: Record<string, string> = { LABEL: v.label, NODE: v.node, MAIN: v.main, HOME: v.home, PATH: v.path, LOG_DIR: v.logDir, README: v.readme };
  return template.replace(/^([ \t]*)\{\{EXTRA_ENV\}\}\n/m, (_m, indent: string) => extraEnv.split("\n").filter(Boolean).map((l) => `${indent}${l}\n`).join("")).replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
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
  const extra = Object.entries(v.environment).map(([k, value]) => `<key>${xmlEscape(k)}</key>\n<string>${xmlEscape(value)}</string>`).join("\n");
  const text = fill(fs.readFileSync(path.join(packageRoot(), "launchd", `${LAUNCHD_LABEL}.plist`), "utf8"), v, xmlEscape, extra);
  parsePlist(text);
  return text;
}

export function renderSystemdUnit(v: ServiceValues): string {
  const extra = Object.entries(v.environment).map(([k, value]) => systemdEnv(k, value)).join("\n");
  return fill(fs.readFileSync(path.join(packageRoot(), "launchd", SYSTEMD_UNIT), "utf8"), v, systemdEscape, extra);
}

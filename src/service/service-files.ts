import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parsePlist } from "plist";

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
}

export function defaultServiceValues(home: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): ServiceValues {
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
    logDir: platform === "darwin" ? path.join(os.homedir(), "Library", "Logs", "cortexd") : path.join(home, "logs"),
    readme: path.join(root, "README.md"),
  };
}

function fill(template: string, v: ServiceValues, escape: (s: string) => string): string {
  const map: Record<string, string> = { LABEL: v.label, NODE: v.node, MAIN: v.main, HOME: v.home, PATH: v.path, LOG_DIR: v.logDir, README: v.readme };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
    const value = map[key];
    if (value === undefined) throw new Error(`unknown placeholder {{${key}}} in service template`);
    return escape(value);
  });
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** systemd splits ExecStart on spaces and expands % specifiers: quote and escape. */
const systemdEscape = (s: string) => (/[\s"\\]/.test(s) ? `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : s).replace(/%/g, "%%");

/** The LaunchAgent plist, from launchd/io.cortexd.daemon.plist; parsed back to prove it is valid. */
export function renderLaunchdPlist(v: ServiceValues): string {
  const text = fill(fs.readFileSync(path.join(packageRoot(), "launchd", `${LAUNCHD_LABEL}.plist`), "utf8"), v, xmlEscape);
  parsePlist(text);
  return text;
}

export function renderSystemdUnit(v: ServiceValues): string {
  return fill(fs.readFileSync(path.join(packageRoot(), "launchd", SYSTEMD_UNIT), "utf8"), v, systemdEscape);
}

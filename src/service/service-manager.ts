import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderLaunchdPlist, renderSystemdUnit, SERVICE_NAMES, type ServiceRole, type ServiceValues } from "./service-files.js";

export interface ServicePlan {
  manager: "launchd" | "systemd";
  file: string;
  content: string;
  /** Commands in order; each is argv. */
  commands: string[][];
  /** The secrets file written first, mode 600 (a worker's); its content is never printed. */
  envFile?: { path: string; content: string; names: string[] };
}

function uid(): number {
  return typeof process.getuid === "function" ? process.getuid() : 0;
}

/** What `cortex service install` writes and runs, per platform (printed as-is by --dry-run). */
export function planInstall(values: ServiceValues, platform = process.platform, homedir = os.homedir()): ServicePlan {
  if (platform === "darwin") {
    const file = path.join(homedir, "Library", "LaunchAgents", `${values.label}.plist`);
    return {
      manager: "launchd",
      file,
      content: renderLaunchdPlist(values),
      // bootout first (ignored when not loaded) so a re-install picks up the new file.
      commands: [
        ["launchctl", "bootout", `gui/${uid()}/${values.label}`],
        ["launchctl", "bootstrap", `gui/${uid()}`, file],
      ],
      ...(values.envFile ? { envFile: values.envFile } : {}),
    };
  }
  const file = path.join(homedir, ".config", "systemd", "user", values.unit);
  return {
    manager: "systemd",
    file,
    content: renderSystemdUnit(values),
    commands: [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", values.unit],
    ],
    ...(values.envFile ? { envFile: values.envFile } : {}),
  };
}

export function planUninstall(platform = process.platform, homedir = os.homedir(), role: ServiceRole = "daemon"): { file: string; commands: string[][] } {
  const { label, unit } = SERVICE_NAMES[role];
  if (platform === "darwin") {
    return { file: path.join(homedir, "Library", "LaunchAgents", `${label}.plist`), commands: [["launchctl", "bootout", `gui/${uid()}/${label}`]] };
  }
  return {
    file: path.join(homedir, ".config", "systemd", "user", unit),
    commands: [
      ["systemctl", "--user", "disable", "--now", unit],
      ["systemctl", "--user", "daemon-reload"],
    ],
  };
}

export function statusCommand(platform = process.platform, role: ServiceRole = "daemon"): string[] {
  const { label, unit } = SERVICE_NAMES[role];
  return platform === "darwin" ? ["launchctl", "print", `gui/${uid()}/${label}`] : ["systemctl", "--user", "status", "--no-pager", unit];
}

/** Runs a command; `tolerant` commands (bootout of a service not loaded) may fail. */
export function run(argv: string[], tolerant = false): { ok: boolean; output: string } {
  try {
    const output = execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    if (!tolerant) throw new Error(`${argv.join(" ")} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
    return { ok: false, output: (e.stderr || e.stdout || e.message).trim() };
  }
}

export function writeServiceFile(plan: Pick<ServicePlan, "file" | "content" | "envFile">, logDir: string): void {
  fs.mkdirSync(path.dirname(plan.file), { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  if (plan.envFile) writePrivateFile(plan.envFile.path, plan.envFile.content);
  const tmp = `${plan.file}.tmp`;
  fs.writeFileSync(tmp, plan.content, { mode: 0o644 });
  fs.renameSync(tmp, plan.file);
}

/** A file only its owner may read (mode 600 whatever the umask), replaced whole: the worker's secrets. */
export function writePrivateFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, content, { mode: 0o600, flag: "wx" });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LAUNCHD_LABEL, renderLaunchdPlist, renderSystemdUnit, SYSTEMD_UNIT, type ServiceValues } from "./service-files.js";

export interface ServicePlan {
  manager: "launchd" | "systemd";
  file: string;
  content: string;
  /** Commands in order; each is argv. */
  commands: string[][];
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
    };
  }
  const file = path.join(homedir, ".config", "systemd", "user", SYSTEMD_UNIT);
  return {
    manager: "systemd",
    file,
    content: renderSystemdUnit(values),
    commands: [
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "--now", SYSTEMD_UNIT],
    ],
  };
}

export function planUninstall(platform = process.platform, homedir = os.homedir()): { file: string; commands: string[][] } {
  if (platform === "darwin") {
    return { file: path.join(homedir, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`), commands: [["launchctl", "bootout", `gui/${uid()}/${LAUNCHD_LABEL}`]] };
  }
  return {
    file: path.join(homedir, ".config", "systemd", "user", SYSTEMD_UNIT),
    commands: [
      ["systemctl", "--user", "disable", "--now", SYSTEMD_UNIT],
      ["systemctl", "--user", "daemon-reload"],
    ],
  };
}

export function statusCommand(platform = process.platform): string[] {
  return platform === "darwin" ? ["launchctl", "print", `gui/${uid()}/${LAUNCHD_LABEL}`] : ["systemctl", "--user", "status", "--no-pager", SYSTEMD_UNIT];
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

export function writeServiceFile(plan: { file: string; content: string }, logDir: string): void {
  fs.mkdirSync(path.dirname(plan.file), { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const tmp = `${plan.file}.tmp`;
  fs.writeFileSync(tmp, plan.content, { mode: 0o644 });
  fs.renameSync(tmp, plan.file);
}

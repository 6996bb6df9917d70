import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The machine's real cores for inference threads. ggml threads spin on barriers, so two hyper-threads of one
 * core, or more threads than cores, slow generation down. Linux: distinct (package, core) pairs of the online
 * CPUs; macOS: performance cores on Apple Silicon (hw.perflevel0), else physical cores. Never more than the
 * CPUs this process may run on; falls back to those when the topology cannot be read.
 */
export function physicalCoreCount(deps: { platform?: NodeJS.Platform; sysRoot?: string; sysctl?: (name: string) => string | undefined } = {}): number {
  const allowed = Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
  const platform = deps.platform ?? process.platform;
  let cores: number | undefined;
  if (platform === "linux") cores = linuxCores(deps.sysRoot ?? "/sys/devices/system/cpu");
  else if (platform === "darwin") {
    const sysctl = deps.sysctl ?? readSysctl;
    cores = positive(sysctl("hw.perflevel0.physicalcpu")) ?? positive(sysctl("hw.physicalcpu"));
  }
  return Math.max(1, Math.min(allowed, cores ?? allowed));
}

function linuxCores(root: string): number | undefined {
  try {
    const cpus = fs.readdirSync(root).filter((d) => /^cpu\d+$/.test(d));
    const seen = new Set<string>();
    for (const cpu of cpus) {
      const online = path.join(root, cpu, "online");
      if (fs.existsSync(online) && fs.readFileSync(online, "utf8").trim() === "0") continue;
      const topo = path.join(root, cpu, "topology");
      const pkg = fs.readFileSync(path.join(topo, "physical_package_id"), "utf8").trim();
      const core = fs.readFileSync(path.join(topo, "core_id"), "utf8").trim();
      seen.add(`${pkg}:${core}`);
    }
    return seen.size > 0 ? seen.size : undefined;
  } catch {
    return undefined;
  }
}

function readSysctl(name: string): string | undefined {
  try {
    return execFileSync("sysctl", ["-n", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 2000 }).trim();
  } catch {
    return undefined;
  }
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

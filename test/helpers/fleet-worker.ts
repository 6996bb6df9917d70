import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI_MAIN } from "./daemon.js";
import { holdDir } from "./temp-dir.js";
import { TEST_TOKEN } from "../hub/loopback-hub.js";

/** A `cortex worker` process with its own home and HF cache, as another machine would be. */
export interface WorkerProc {
  name: string;
  home: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Spawns `cortex worker` under `root/name`; resolves once it logs "cortex worker ready" (rejects if it exits first). */
export async function startWorker(root: string, name: string, env: Record<string, string>, args: string[] = []): Promise<WorkerProc> {
  const w = spawnWorker(root, name, env, args);
  const deadline = Date.now() + 60_000;
  while (!w.output().includes('"cortex worker ready"')) {
    if (w.proc.exitCode !== null) throw new Error(`worker ${name} exited ${w.proc.exitCode}:\n${w.output()}`);
    if (Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${w.output()}`);
    await sleep(50);
  }
  return w;
}

/** Spawns `cortex worker` without waiting (for workers that must fail to start). */
export function spawnWorker(root: string, name: string, env: Record<string, string>, args: string[] = []): WorkerProc {
  const home = path.join(root, name);
  const proc = spawn(process.execPath, [CLI_MAIN, "worker", "--home", home, "--log-level", "info", ...args], {
    env: { ...process.env, CORTEX_TOKEN: "", HF_HUB_CACHE: path.join(home, "hf"), HF_TOKEN: TEST_TOKEN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
  holdDir(home, proc, () => {
    proc.kill("SIGTERM");
    return exited;
  });
  return { name, home, proc, output: () => out, exited };
}

import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface Holder {
  dir: string;
  proc: ChildProcess;
  stop: () => Promise<unknown>;
}

// Processes that write under a directory (a daemon's home, a fleet worker's). node:test runs a test's
// `after` hooks in the order they were registered, so the removal tempDir registers first would otherwise run
// before the test's own `d.stop()`, while the daemon still writes there (CI saw ENOTEMPTY from rmSync).
const holders = new Set<Holder>();

/** Registers a process writing under `dir`: tempDir's cleanup stops it (SIGKILL after a bound) before removing the dir. */
export function holdDir(dir: string, proc: ChildProcess, stop: () => Promise<unknown>): void {
  const holder = { dir: path.resolve(dir), proc, stop };
  holders.add(holder);
  proc.once("exit", () => holders.delete(holder));
}

const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir + path.sep);
const running = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

async function release(h: Holder, boundMs: number): Promise<void> {
  if (!running(h.proc)) return;
  const exited = new Promise((r) => h.proc.once("exit", r));
  // A test may leave its process stopped (SIGSTOP) or stuck: the stop gets a bound, then the process is killed.
  await Promise.race([h.stop(), sleep(boundMs, undefined, { ref: false })]);
  if (running(h.proc)) h.proc.kill("SIGKILL");
  await exited;
}

/** Stops whatever still writes under `dir` (each given `boundMs` to stop), then removes it. */
export async function removeDir(dir: string, boundMs = 30_000): Promise<void> {
  const root = path.resolve(dir);
  await Promise.all([...holders].filter((h) => inside(h.dir, root)).map((h) => release(h, boundMs)));
  fs.rmSync(root, { recursive: true, force: true });
}

/** A fresh temp dir removed after the test (unix socket paths must stay short: keep names brief). */
export function tempDir(t: { after: (fn: () => Promise<unknown>) => void }, prefix = "cx"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  t.after(() => removeDir(dir));
  return dir;
}

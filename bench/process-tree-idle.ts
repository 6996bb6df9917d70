import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { childPids } from "./proc-stats.js";

const TICK_MS = 1000 / 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU time (ms) used so far by `pid` and all its descendants, from /proc; undefined where there is no /proc. */
function treeCpuMs(pid: number): number | undefined {
  if (!fs.existsSync(`/proc/${pid}/stat`)) return undefined;
  let total = 0;
  const pending = [pid];
  while (pending.length) {
    const p = pending.pop()!;
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      pending.push(...childPids(p));
    } catch {
      // Exited meanwhile.
    }
  }
  return total;
}

/**
 * Waits until `pid` and its children use less than 5% of a core over half a second (at most `maxMs`), so that
 * background work (a daemon starting a spare runner) is not measured. Without /proc it waits `fallbackMs`.
 */
export async function processTreeIdle(pid: number | undefined, maxMs = 15_000, fallbackMs = 2500): Promise<void> {
  const deadline = performance.now() + maxMs;
  let before = pid === undefined ? undefined : treeCpuMs(pid);
  if (before === undefined) return void (await sleep(fallbackMs));
  while (performance.now() < deadline) {
    await sleep(500);
    const now = treeCpuMs(pid!);
    if (now === undefined || now - before < 25) return;
    before = now;
  }
}

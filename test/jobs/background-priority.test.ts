import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { lowerToBackground } from "../../src/platform/background-priority.js";

/** Linux scheduling policy of each thread of this process (5 = SCHED_IDLE), and their nice values. */
function threads(): { policy: number; nice: number }[] {
  return fs.readdirSync("/proc/self/task").map((tid) => {
    const sched = fs.readFileSync(`/proc/self/task/${tid}/sched`, "utf8");
    return { policy: Number(/policy\s*:\s*(\d+)/.exec(sched)?.[1]), nice: os.getPriority(Number(tid)) };
  });
}

// Run in a child of the test runner (node --test runs each file in its own process): lowering is one-way.
test("job workers run as background work: every thread SCHED_IDLE and nice 19, threads started later too", { skip: process.platform !== "linux" && "SCHED_IDLE is Linux's" }, async () => {
  const r = lowerToBackground();
  assert.ok(r.schedIdleThreads > 0 && r.schedIdleThreads === r.nicedThreads, JSON.stringify(r));
  const w = new Worker("setTimeout(() => {}, 300)", { eval: true });
  await new Promise((resolve) => w.once("online", resolve));
  const all = threads();
  assert.ok(all.length > r.schedIdleThreads, "a thread started after");
  assert.deepEqual([...new Set(all.map((t) => t.policy))], [5], JSON.stringify(all));
  assert.deepEqual([...new Set(all.map((t) => t.nice))], [19]);
  await w.terminate();
});

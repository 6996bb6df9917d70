import assert from "node:assert/strict";
import { test } from "node:test";
import { ThreadTuner } from "../../src/inference/engine/native/thread-tuner.js";

/** Drives a tuner with a machine model (ms per step for a thread count) for `steps` steps; returns the counts used. */
function drive(t: ThreadTuner, msFor: (threads: number, step: number) => number, steps: number, shape = "1"): number[] {
  const used: number[] = [];
  for (let i = 0; i < steps; i++) {
    const n = t.current;
    used.push(n);
    t.record(msFor(n, i), shape);
  }
  return used;
}

const share = (used: number[], n: number) => used.filter((u) => u === n).length / used.length;

test("quiet machine: stays on all threads; probing fewer costs under 10% of steps", () => {
  const t = new ThreadTuner({ maxThreads: 2 });
  const used = drive(t, (n) => (n === 2 ? 1 : 1.7), 4000);
  assert.equal(t.preferred, 2);
  assert.ok(share(used, 1) < 0.1, `1 thread on ${(share(used, 1) * 100).toFixed(1)}% of steps`);
});

test("a busy core (2 threads 10× slower): moves to 1 thread and stays there", () => {
  const t = new ThreadTuner({ maxThreads: 2 });
  const used = drive(t, (n) => (n === 2 ? 10 : 1.5), 2000);
  assert.equal(t.preferred, 1);
  assert.ok(share(used.slice(200), 1) > 0.9);
});

test("load comes and goes: the tuner follows (back to 2 threads once the other work ends)", () => {
  const t = new ThreadTuner({ maxThreads: 2 });
  const busy = (step: number) => step >= 1000 && step < 3000;
  const used = drive(t, (n, step) => (busy(step) ? (n === 2 ? 10 : 1.5) : n === 2 ? 1 : 1.7), 6000);
  assert.ok(share(used.slice(1500, 3000), 1) > 0.8, "busy: mostly 1 thread");
  assert.ok(share(used.slice(4500), 2) > 0.8, "quiet again: mostly 2 threads");
});

test("4 threads where 3 is best: finds 3", () => {
  const t = new ThreadTuner({ maxThreads: 4 });
  drive(t, (n) => ({ 1: 4, 2: 2.2, 3: 1.5, 4: 3 })[n]!, 3000);
  assert.equal(t.preferred, 3);
});

test("one thread: nothing to tune", () => {
  const t = new ThreadTuner({ maxThreads: 1 });
  assert.deepEqual([...new Set(drive(t, () => 1, 100))], [1]);
});

test("a slow first window (the model warming up: weights faulted in, threads woken) does not send it to 1 thread", () => {
  // As measured under the daemon on 2 cores (~200 MB model): the first 16 steps on 2 threads ~14 ms, then 8.3 ms;
  // 1 thread 10.5 ms. Judged on the warm-up window, the probe of 1 thread won and stayed for 9 windows.
  const t = new ThreadTuner({ maxThreads: 2 });
  const used = drive(t, (n, step) => (step < 16 ? 14 : n === 2 ? 8.3 : 10.5), 600);
  assert.equal(t.preferred, 2);
  assert.ok(share(used, 1) < 0.1, `1 thread on ${(share(used, 1) * 100).toFixed(1)}% of steps`);
});

test("parallel streams switching the shape (4, 3, 4 … sequences) keep what each shape learned: no probe at every switch", () => {
  // 4 streams whose generations end a step apart: a step with 3 sequences every ~20 steps. Starting afresh at each
  // switch probed 1 thread for a whole window after every one (a third of the steps, measured).
  const t = new ThreadTuner({ maxThreads: 2 });
  const used: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const shape = i % 21 === 20 ? "3" : "4";
    used.push(t.current);
    t.record(t.current === 2 ? 26 : 36, shape);
  }
  assert.equal(t.preferred, 2);
  assert.ok(share(used, 1) < 0.1, `1 thread on ${(share(used, 1) * 100).toFixed(1)}% of steps`);
});

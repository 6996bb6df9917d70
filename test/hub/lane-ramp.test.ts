import assert from "node:assert/strict";
import { test } from "node:test";
import { LaneRamp } from "../../src/hub/lane-ramp.js";

/** Drives a ramp with a link whose rate for n connections is rate(n); returns the connection counts it ran. */
function drive(max: number, rate: (n: number) => number): number[] {
  const ramp = new LaneRamp(max);
  const seen = [ramp.target];
  let now = 0;
  for (let step = 0; step < 20; step++) {
    const n = ramp.target;
    ramp.bytes(0, now, true); // a fresh connection: the measurement starts
    for (let i = 0; i < 10; i++) ramp.bytes(rate(n) * 50, (now += 50));
    ramp.grow(now);
    if (ramp.target !== seen.at(-1)) seen.push(ramp.target);
  }
  return seen;
}

test("connections: a CDN that caps each connection gets them all; a link two already fill keeps two", () => {
  assert.deepEqual(drive(8, (n) => n * 20), [2, 3, 4, 5, 6, 7, 8], "per-connection cap: rate grows with each");
  assert.deepEqual(drive(8, () => 1000), [2, 3, 2], "loopback / CPU-bound: the third did not pay and closes");
  assert.deepEqual(drive(8, (n) => Math.min(n, 4) * 30), [2, 3, 4, 5, 4], "a link that four fill");
  assert.deepEqual(drive(1, () => 1), [1], "one allowed");
  assert.deepEqual(drive(3, (n) => n), [2, 3]);
});

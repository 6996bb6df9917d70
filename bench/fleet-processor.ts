import { setTimeout as sleep } from "node:timers/promises";
import { createProcessor } from "../src/jobs/processor-shim.js";

/** bench/fleet's synthetic job: waits `ms` (a job bound by another machine's work), reporting progress 4 times. */
export default createProcessor<{ model: string; ms: number }, { ok: true }>(async (data, ctx) => {
  for (let i = 1; i <= 4; i++) {
    await sleep(data.ms / 4, undefined, { signal: ctx.signal });
    ctx.progress({ phase: "working", done: i, total: 4, unit: "items" });
  }
  return { ok: true };
});

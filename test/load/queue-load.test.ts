/**
 * Many queued model-writing jobs across a kill -9 of the daemon: every job ends COMPLETED exactly once, every
 * output exists once, nothing half-written stays. CI: 30 jobs; `npm run soak`: 1,000 (CORTEX_LOAD_JOBS overrides).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { danglingManifests, FINAL, getJob, jobSourceGguf, listTree, QUANTIZE, type JobKindUnderTest } from "../chaos/helpers.js";

const SOAK = process.env.CORTEX_SOAK === "1";
const JOBS = Number(process.env.CORTEX_LOAD_JOBS ?? (SOAK ? 1000 : 30));

async function queuedJobsAcrossRestart(t: TestContext, kind: JobKindUnderTest): Promise<void> {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "tiny-F16.gguf"));
  const env = { CORTEX_THREADS: "1", CORTEX_CONVERSION_CONCURRENCY: "2", CORTEX_LOG_LEVEL: "info" };
  const d1 = await startDaemon(home, { env });
  t.after(() => d1.stop());
  const t0 = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 50) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(50, JOBS - i) }, (_, k) => kind.submit(d1.client, "tiny-F16", `out-${i + k}`)))));
  }
  assert.equal(new Set(ids).size, JOBS, "distinct jobs");
  const submitMs = Date.now() - t0;
  // Crash once about a third of them are done.
  const finished = async (c: typeof d1.client) => (await Promise.all(ids.map((id) => getJob(c, id)))).filter((j) => FINAL.includes(j.state)).length;
  while ((await finished(d1.client)) < JOBS / 3) await sleep(200);
  await d1.kill9();
  const d2 = await startDaemon(home, { env });
  t.after(() => d2.stop());
  const deadline = Date.now() + Math.max(120_000, JOBS * 2000);
  for (;;) {
    const states = await Promise.all(ids.map((id) => getJob(d2.client, id)));
    if (states.every((j) => FINAL.includes(j.state))) {
      const bad = states.filter((j) => j.state !== "JOB_STATE_COMPLETED");
      assert.deepEqual(bad.map((j) => `${j.id}: ${j.state} ${j.error_code} ${j.error_message}`), []);
      break;
    }
    if (Date.now() > deadline) throw new Error(`not all jobs finished: ${states.filter((j) => !FINAL.includes(j.state)).length} left`);
    await sleep(500);
  }
  const totalMs = Date.now() - t0;
  await sleep(300);
  const logs = d1.output() + d2.output();
  const completions = new Map<string, number>();
  for (const m of logs.matchAll(/"jobId":"([^"]+)"[^\n]*"msg":"job completed"/g)) completions.set(m[1]!, (completions.get(m[1]!) ?? 0) + 1);
  const twice = [...completions].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], "no job completed twice");
  // Redis agrees: exactly JOBS completed jobs, none waiting or failed.
  const counts = await d2.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const q = counts.queues.find((x) => x.queue === "quantizations")!;
  assert.deepEqual({ completed: q.completed, failed: q.failed, waiting: q.waiting, active: q.active }, { completed: Math.min(JOBS, 1000), failed: 0, waiting: 0, active: 0 });
  assert.deepEqual(listTree(kind.outputDir(home)), ids.map((_, i) => `out-${i}.gguf`).sort(), "each output once, no temporary file");
  assert.deepEqual(danglingManifests(home), []);
  t.diagnostic(`${JOBS} ${kind.name} jobs: submitted in ${submitMs} ms, all completed in ${(totalMs / 1000).toFixed(1)} s across a kill -9 (${completions.size} completions logged, ${JOBS - completions.size} finished unlogged at the crash)`);
}

test(`${JOBS} queued QuantizeModel jobs complete exactly once across a kill -9 of the daemon`, async (t) => {
  await queuedJobsAcrossRestart(t, QUANTIZE);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { jobHarness } from "../helpers/job-harness.js";
import { startTestRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import type { JobMessage } from "../../src/jobs/job-view.js";

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const dir = tempDir(t as never);
  const redis = await startTestRedis(path.join(dir, "r"));
  const h = await jobHarness(redis.socket, path.join(dir, "home"));
  t.after(async () => {
    await h.close();
    await redis.stop();
  });
  return { h, dir };
}

async function collect(h: Awaited<ReturnType<typeof jobHarness>>, id: string): Promise<JobMessage[]> {
  const seen: JobMessage[] = [];
  for await (const j of h.manager.watch(id, AbortSignal.timeout(30_000))) seen.push(j);
  return seen;
}

test("a job runs in a child process, streams throttled progress and completes with its result", async (t) => {
  const { h } = await setup(t);
  const { job } = await h.manager.submit("pull", { model: "org/a", behaviour: "progress", steps: 20, stepMs: 25 });
  assert.match(job.id, /^pull-[0-9a-f]{16}$/);
  const seen = await collect(h, job.id);
  const last = seen.at(-1)!;
  assert.equal(last.state, "JOB_STATE_COMPLETED");
  const result = JSON.parse(last.result_json) as { steps: number; pid: number };
  assert.equal(result.steps, 20);
  assert.notEqual(result.pid, process.pid, "ran in a worker process");
  const progress = seen.filter((j) => j.progress).map((j) => j.progress!);
  assert.ok(progress.length >= 2, "progress was streamed");
  assert.ok(progress.length <= 20 * 25 / 100 + 4, `≤ ~10 updates/s (got ${progress.length} in ~0.5 s)`);
  assert.equal(last.progress?.done, 20);
  assert.equal(last.progress?.unit, "items");
});

test("two submissions with the same key share one job", async (t) => {
  const { h } = await setup(t);
  const a = await h.manager.submit("pull", { model: "org/b", behaviour: "progress", steps: 10, stepMs: 50 }, { dedupeKey: "pull@org/b@main" });
  const b = await h.manager.submit("pull", { model: "org/b", behaviour: "progress", steps: 10, stepMs: 50 }, { dedupeKey: "pull@org/b@main" });
  assert.equal(a.deduplicated, false);
  assert.equal(b.deduplicated, true);
  assert.equal(b.job.id, a.job.id);
});

test("cancelling a running job stops it within 2 s; final state CANCELLED, never retried", async (t) => {
  const { h } = await setup(t);
  const { job } = await h.manager.submit("pull", { model: "org/c", behaviour: "progress", steps: 1000, stepMs: 20 }, { attempts: 3 });
  for await (const j of h.manager.watch(job.id, AbortSignal.timeout(10_000))) if (j.state === "JOB_STATE_ACTIVE" && j.progress) break;
  const t0 = Date.now();
  const cancelled = await h.manager.cancel(job.id, "user changed their mind");
  assert.ok(Date.now() - t0 < 2000, `stopped in ${Date.now() - t0} ms`);
  assert.equal(cancelled.state, "JOB_STATE_CANCELLED");
  assert.equal(cancelled.error_code, "JOB_CANCELLED");
  assert.match(cancelled.error_message, /user changed their mind/);
  await new Promise((r) => setTimeout(r, 500));
  const later = await h.manager.get(job.id);
  assert.equal(later.state, "JOB_STATE_CANCELLED");
  assert.equal(later.attempts_made, 1, "not retried");
  await assert.rejects(h.manager.cancel(job.id, ""), /already ended/);
});

test("cancelling a queued job removes it and reports CANCELLED", async (t) => {
  const { h } = await setup(t);
  // conversions has concurrency 1: the second job waits behind the first
  const first = await h.manager.submit("convert", { model: "m1", behaviour: "progress", steps: 100, stepMs: 20 });
  const second = await h.manager.submit("convert", { model: "m2", behaviour: "progress", steps: 1, stepMs: 1 });
  assert.equal(second.job.state, "JOB_STATE_QUEUED");
  const c = await h.manager.cancel(second.job.id, "");
  assert.equal(c.state, "JOB_STATE_CANCELLED");
  assert.equal((await h.manager.get(second.job.id)).state, "JOB_STATE_CANCELLED");
  await h.manager.cancel(first.job.id, "");
});

test("retryable failures are retried with backoff; permanent ones fail at once with their code", async (t) => {
  const { h } = await setup(t);
  const fatal = await h.manager.submit("pull", { model: "org/missing", behaviour: "fail-fatal", steps: 1 }, { attempts: 3 });
  const end = (await collect(h, fatal.job.id)).at(-1)!;
  assert.equal(end.state, "JOB_STATE_FAILED");
  assert.equal(end.error_code, "HUB_NOT_FOUND");
  assert.equal(end.error_message, "repo org/missing not found");
  assert.equal(end.attempts_made, 1);

  const flaky = await h.manager.submit("pull", { model: "org/flaky", behaviour: "fail-retryable", steps: 1 }, { attempts: 2 });
  const end2 = (await collect(h, flaky.job.id)).at(-1)!;
  assert.equal(end2.state, "JOB_STATE_FAILED");
  assert.equal(end2.error_code, "HUB_UNAVAILABLE");
  assert.equal(end2.attempts_made, 2, "retried once");

  const again = await h.manager.retry(fatal.job.id);
  assert.notEqual(again.state, "JOB_STATE_FAILED");
  await assert.rejects(h.manager.get("pull-doesnotexist00"), /job pull-doesnotexist00 not found/);
});

test("a worker process killed mid-job is retried and completes; shutdown hands running jobs back without spending an attempt", async (t) => {
  const { h, dir } = await setup(t);
  const crash = await h.manager.submit("pull", { model: "org/crash", behaviour: "crash-once", steps: 2 }, { attempts: 3 });
  const end = (await collect(h, crash.job.id)).at(-1)!;
  assert.equal(end.state, "JOB_STATE_COMPLETED");
  assert.equal(end.attempts_made, 2, "one crashed attempt, then the successful one");

  const starts = path.join(dir, "starts.txt");
  const long = await h.manager.submit("pull", { model: "org/long", behaviour: "progress", steps: 60, stepMs: 50, startsFile: starts });
  for await (const j of h.manager.watch(long.job.id, AbortSignal.timeout(10_000))) if (j.progress) break;
  await h.restartWorkers();
  const final = (await collect(h, long.job.id)).at(-1)!;
  assert.equal(final.state, "JOB_STATE_COMPLETED");
  assert.equal(final.attempts_made, 1, "the hand-back did not count as an attempt");
  const pids = fs.readFileSync(starts, "utf8").trim().split("\n");
  assert.equal(pids.length, 2, "ran once before the restart and once after, never twice at once");
});

// #20 item 6: a job whose event loop is blocked (a 200 MB tokenizer.json parse) ignored cancel — CancelJob returned
// with the job still active, it ended FAILED INTERNAL, and after a restart the cancelled job ran again.
test("a running job that ignores its cancel is killed within the bound, ends CANCELLED and never runs again", async (t) => {
  const { h, dir } = await setup(t);
  const starts = path.join(dir, "starts");
  const { job } = await h.manager.submit("quantize", { model: "m", behaviour: "block", stepMs: 120_000, startsFile: starts }, { attempts: 3 });
  for await (const j of h.manager.watch(job.id, AbortSignal.timeout(30_000))) if (j.state === "JOB_STATE_ACTIVE" && j.progress) break;
  await new Promise((r) => setTimeout(r, 500)); // inside the busy loop now
  const pid = Number(fs.readFileSync(starts, "utf8").trim());
  const t0 = Date.now();
  const cancelled = await h.manager.cancel(job.id, "stuck");
  const ms = Date.now() - t0;
  t.diagnostic(`stuck job cancelled in ${ms} ms`);
  assert.equal(cancelled.state, "JOB_STATE_CANCELLED", JSON.stringify(cancelled));
  assert.equal(cancelled.error_code, "JOB_CANCELLED");
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.throws(() => process.kill(pid, 0), "the stuck worker process is gone");
  await new Promise((r) => setTimeout(r, 3_000)); // past the retry backoff
  assert.equal((await h.manager.get(job.id)).state, "JOB_STATE_CANCELLED");
  assert.equal(fs.readFileSync(starts, "utf8").trim().split("\n").length, 1, "never started again");
});

test("shutdown with a job that ignores the hand-back: its process is killed after the shutdown bound, nothing outlives it", async (t) => {
  const { h, dir } = await setup(t);
  const starts = path.join(dir, "starts");
  const { job } = await h.manager.submit("quantize", { model: "m2", behaviour: "block", stepMs: 120_000, startsFile: starts }, { attempts: 1 });
  for await (const j of h.manager.watch(job.id, AbortSignal.timeout(30_000))) if (j.state === "JOB_STATE_ACTIVE" && j.progress) break;
  await new Promise((r) => setTimeout(r, 500));
  const pid = Number(fs.readFileSync(starts, "utf8").trim());
  const t0 = Date.now();
  await h.workers.stop();
  const ms = Date.now() - t0;
  t.diagnostic(`shutdown with a stuck job took ${ms} ms (bound 5 s)`);
  assert.ok(ms < 9_000, `took ${ms} ms`);
  await new Promise((r) => setTimeout(r, 200));
  assert.throws(() => process.kill(pid, 0), "the stuck worker process is gone");
});

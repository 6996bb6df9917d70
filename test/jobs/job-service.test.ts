import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

type CodeErr = Error & { grpcCode?: number };

test("PullModel validates its request: INVALID_ARGUMENT naming the field", async (t) => {
  const d = await startDaemon(path.join(tempDir(t), "h"));
  t.after(() => d.stop());
  const pull = (req: object) => d.client.unary("cortex.v1.JobService", "PullModel", req);
  await assert.rejects(pull({}), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /repo is required/.test(e.message));
  await assert.rejects(pull({ repo: "not a repo" }), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /invalid Hugging Face repo "not a repo"/.test(e.message));
  await assert.rejects(pull({ repo: "datasets/org/x" }), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /only model repos/.test(e.message));
  await assert.rejects(pull({ repo: "org/x", revision: "../../etc" }), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /revision "..\/..\/etc"/.test(e.message));
  await assert.rejects(pull({ repo: "org/x", include: [""] }), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /include/.test(e.message));
  await assert.rejects(d.client.unary("cortex.v1.JobService", "GetJob", { job_id: "" }), (e: CodeErr) => e.grpcCode === grpc.status.INVALID_ARGUMENT && /job_id is required/.test(e.message));
  await assert.rejects(d.client.unary("cortex.v1.JobService", "GetJob", { job_id: "pull-0000000000000000" }), (e: CodeErr) => e.grpcCode === grpc.status.NOT_FOUND && /job pull-0000000000000000 not found/.test(e.message));
});

test("pulls of the same repo@revision share one job; jobs are listed and survive a restart; SIGTERM ends watch streams with UNAVAILABLE", async (t) => {
  const home = path.join(tempDir(t), "h");
  // The Hub points at a closed port: the pull retries with backoff (HUB_UNAVAILABLE is retryable), so the job
  // stays alive for the whole test; the assertions are about the queue, not the download.
  const d = await startDaemon(home, { env: { HF_ENDPOINT: "http://127.0.0.1:9" } });
  const a = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/model", revision: "main" });
  const b = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/model", revision: "main" });
  assert.equal(b.job_id, a.job_id);
  assert.equal(b.deduplicated, true);
  const c = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/model", revision: "v2" });
  assert.notEqual(c.job_id, a.job_id);
  const list = await d.client.unary("cortex.v1.JobService", "ListJobs", { types: ["JOB_TYPE_PULL"] });
  assert.deepEqual(new Set(list.jobs.map((j) => j.id)), new Set([a.job_id, c.job_id]));
  assert.ok(list.jobs.every((j) => j.model === "org/model"));

  const stream = d.client.stream("cortex.v1.JobService", "WatchJob", { job_id: a.job_id });
  const first = await new Promise<{ job: { id: string } }>((resolve, reject) => {
    stream.once("data", resolve);
    stream.once("error", reject);
  });
  assert.equal(first.job.id, a.job_id);
  const ended = new Promise<grpc.ServiceError>((resolve) => stream.on("error", resolve));
  stream.on("data", () => undefined);
  d.proc.kill("SIGTERM");
  const err = await ended;
  assert.equal(err.code, grpc.status.UNAVAILABLE);
  assert.match(err.details, /shutting down/);
  assert.equal(await d.exited, 0);

  const d2 = await startDaemon(home, { env: { HF_ENDPOINT: "http://127.0.0.1:9" } });
  t.after(() => d2.stop());
  const again = await d2.client.unary("cortex.v1.JobService", "GetJob", { job_id: a.job_id });
  assert.equal(again.id, a.job_id, "the job survived the restart");
  assert.equal(again.model, "org/model");
});

/**
 * #20 item 5: a submit answered `UNAVAILABLE: Redis did not answer` still ran (the job appeared and completed), and
 * the client's retry started a second one. Submits carry an idempotency key: a retry with the same key joins the
 * job the first try made, and the error says the submit may have gone through.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { CortexClient as WireClient } from "../../src/grpc/client.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { jobSourceGguf, waitFinal } from "./helpers.js";

test("a submit retried with its idempotency key joins one job, also after a Redis freeze cut the first answer", async (t) => {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "tiny-F16.gguf"));
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const wire = new WireClient({ socket: d.socket });
  t.after(() => wire.close());
  const submit = (key: string, name: string) => wire.unary("cortex.v1.JobService", "QuantizeModel", { model: "tiny-F16", type: "Q4_0", output_name: name, threads: 1, idempotency_key: key }, 30_000);

  const first = await submit("key-one", "one");
  const again = await submit("key-one", "one");
  assert.equal(again.job_id, first.job_id);
  assert.equal(again.deduplicated, true);
  assert.equal((await waitFinal(d.client, first.job_id, 120_000)).state, "JOB_STATE_COMPLETED");
  const late = await submit("key-one", "one");
  assert.equal(late.job_id, first.job_id, "a retry after the job ended still joins it (no second run)");
  assert.equal(late.job?.state, "JOB_STATE_COMPLETED");

  // Redis frozen: the first answer is lost, but the command may have reached Redis.
  const redisPid = Number(fs.readFileSync(path.join(home, "redis", "redis.pid"), "utf8"));
  process.kill(redisPid, "SIGSTOP");
  let thawed = false;
  const thaw = () => {
    if (!thawed) process.kill(redisPid, "SIGCONT");
    thawed = true;
  };
  t.after(thaw);
  const frozen = await submit("key-two", "two").then(
    () => undefined,
    (e: Error) => e,
  );
  setTimeout(thaw, 0);
  await new Promise((r) => setTimeout(r, 500));
  thaw();
  if (frozen) assert.match(frozen.message, /may still have gone through.*idempotency_key/, frozen.message);
  const retried = await submit("key-two", "two");
  const done = await waitFinal(d.client, retried.job_id, 120_000);
  assert.equal(done.state, "JOB_STATE_COMPLETED", done.error_message);
  const jobs = (await d.client.unary("cortex.v1.JobService", "ListJobs", { types: ["JOB_TYPE_QUANTIZE"], limit: 100 })).jobs;
  assert.equal(jobs.length, 2, `one job per key: ${jobs.map((j) => j.id).join(", ")}`);
  assert.deepEqual(fs.readdirSync(path.join(home, "quantized_models")).sort(), ["one.gguf", "two.gguf"]);
});

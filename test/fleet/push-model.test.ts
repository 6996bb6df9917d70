import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { startDaemon } from "../helpers/daemon.js";
import { waitFinal } from "../helpers/jobs.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startHub } from "../hub/hub-fixtures.js";
import { randomBytes, TEST_TOKEN } from "../hub/loopback-hub.js";

test("cortex push: a local model becomes one commit on the Hub with the file and a model card naming its sha256; pushing again is another job, the marker keeps each once", async (t) => {
  const root = tempDir(t, "push");
  const hub = await startHub(t, {});
  const home = path.join(root, "home");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  const bytes = randomBytes(256 * 1024);
  const file = path.join(home, "models", "mine-Q4_0.gguf");
  fs.writeFileSync(file, bytes);
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_TOKEN: TEST_TOKEN, HF_HUB_CACHE: path.join(root, "hf") } });
  t.after(() => d.stop());
  const h = await d.client.unary("cortex.v1.JobService", "PushModel", { model: file, repo: "me/mine-gguf" });
  assert.match(h.job_id, /^push-/);
  const j = await waitFinal(d.client, h.job_id, 60_000);
  assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.error_code} ${j.error_message}`);
  const r = JSON.parse(j.result_json) as { commit: string; files: string[]; uploaded: number };
  assert.deepEqual(r.files, ["README.md", "mine-Q4_0.gguf"]);
  assert.equal(r.uploaded, 1);
  const log = hub.write.commitLog["me/mine-gguf"]!;
  assert.equal(log.length, 1);
  assert.equal(log[0]!.id, r.commit);
  assert.ok(log[0]!.title.includes(h.job_id));
  const files = hub.repos["me/mine-gguf"]!.files;
  assert.ok(files["mine-Q4_0.gguf"]!.data.equals(bytes));
  assert.match(files["README.md"]!.data.toString(), new RegExp(crypto.createHash("sha256").update(bytes).digest("hex")));
  // The token never reaches the logs.
  assert.ok(!d.output().includes(TEST_TOKEN));
  // A bad repo name is refused before anything is queued.
  await assert.rejects(d.client.unary("cortex.v1.JobService", "PushModel", { model: file, repo: "not a repo" }), /INVALID_ARGUMENT|invalid Hugging Face repo/);
});

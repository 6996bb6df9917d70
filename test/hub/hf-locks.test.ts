import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/cli/client.js";
import { withBlobLock } from "../../src/hub/blob-lock.js";
import { lockPath } from "../../src/hub/hf-cache-layout.js";
import { commitOf, makeHfCache, sha256Hex } from "../fixtures/make-hf-cache.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub, randomBytes } from "./loopback-hub.js";
import { filelockMissing, PythonLockHolder } from "./python-filelock.js";

const MiB = 1024 * 1024;

interface Job {
  state: string;
  error_message: string;
  result_json: string;
}
async function jobState(client: CortexClient, id: string): Promise<Job> {
  return client.unary("cortex.v1.JobService", "GetJob", { job_id: id });
}

test("cortexd's blob lock and huggingface_hub's (filelock, flock(2)) exclude each other, and the lock file is never deleted", async (t) => {
  if (filelockMissing(t)) return;
  const lock = path.join(tempDir(t, "cxl"), ".locks", "models--org--m", `${"a".repeat(64)}.lock`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const py = PythonLockHolder.start(lock);
  t.after(() => py.close());

  assert.equal(await py.send("hold"), "held");
  const order: string[] = [];
  const mine = withBlobLock(lock, AbortSignal.timeout(10_000), async () => {
    order.push("cortexd");
    assert.equal(await py.send("try"), "busy", "Python waits while cortexd holds it");
  });
  await sleep(400);
  assert.equal(order.length, 0, "cortexd waits while Python holds it");
  order.push("python released");
  assert.equal(await py.send("release"), "released");
  await mine;
  assert.deepEqual(order, ["python released", "cortexd"]);
  assert.ok(fs.existsSync(lock), "the lock file stays (filelock never removes it; removing one another process holds breaks the lock)");
  assert.equal(await py.send("try"), "free");
});

test("a Python download holding a blob's lock makes `cortex pull` wait, then reuse the finished blob (one download); hf-cache delete refuses a locked blob", async (t) => {
  if (filelockMissing(t)) return;
  const dir = tempDir(t, "cxl");
  const weights = randomBytes(3 * MiB);
  const hub = await LoopbackHub.start({ "org/tiny": { files: { "config.json": { data: Buffer.from('{"model_type":"llama"}\n') }, "model.safetensors": { data: weights, lfs: true } } } });
  t.after(() => hub.close());
  const cache = path.join(dir, "hf");
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: "" } });
  t.after(() => d.stop());

  // Python is downloading model.safetensors: it holds the blob's lock (huggingface_hub's path and library).
  const etag = sha256Hex(weights);
  const lock = lockPath(cache, "org/tiny", etag);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const py = PythonLockHolder.start(lock);
  t.after(() => py.close());
  assert.equal(await py.send("hold"), "held");

  const { job_id } = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/tiny" });
  await sleep(2000);
  assert.notEqual((await jobState(d.client, job_id)).state, "JOB_STATE_COMPLETED", "the pull waits for the lock");
  assert.equal(hub.bytesServed("model.safetensors"), 0, "and fetches nothing of that blob meanwhile");
  const src = path.join(dir, "weights.bin");
  fs.writeFileSync(src, weights);
  const blob = path.join(cache, "models--org--tiny", "blobs", etag);
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  assert.equal(await py.send(`write ${src} ${blob}`), "written");
  assert.equal(await py.send("release"), "released");
  for (let i = 0; ; i++) {
    const j = await jobState(d.client, job_id);
    if (j.state === "JOB_STATE_COMPLETED") break;
    assert.ok(!["JOB_STATE_FAILED", "JOB_STATE_CANCELLED"].includes(j.state), j.error_message);
    assert.ok(i < 300, `pull still ${j.state}`);
    await sleep(100);
  }
  assert.equal(hub.bytesServed("model.safetensors"), 0, "one download: Python's; cortexd reused the blob");
  const snap = path.join(cache, "models--org--tiny", "snapshots", hub.commitOf("org/tiny"));
  assert.deepEqual(fs.readFileSync(path.join(snap, "model.safetensors")), weights);
  assert.ok(fs.existsSync(lock), "cortexd left the lock file in place");

  // A delete must not pull a blob from under a download: refused while the lock is held, nothing removed.
  assert.equal(await py.send("hold"), "held");
  const refused = await runCli(["--home", home, "hf-cache", "delete", "org/tiny"]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp(`${etag}.*locked|locked.*${etag}`));
  assert.deepEqual(fs.readFileSync(path.join(snap, "model.safetensors")), weights, "snapshot and blob intact");
  assert.equal(await py.send("release"), "released");
  const deleted = await runCli(["--home", home, "hf-cache", "delete", "org/tiny"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(fs.existsSync(path.join(cache, "models--org--tiny")), false);
  assert.ok(fs.existsSync(lock), "locks are not deleted with the repo (another tool may hold one)");
});

test("a prune skips a blob whose lock another process holds and reports it", async (t) => {
  if (filelockMissing(t)) return;
  const cache = path.join(tempDir(t, "cxl"), "hub");
  const content = "detached weights";
  makeHfCache(cache, [{ repo: "org/p", revisions: [{ commit: commitOf("new"), refs: ["main"], files: { "a.txt": "kept" } }, { commit: commitOf("old"), files: { "b.txt": content } }] }]);
  const lock = lockPath(cache, "org/p", sha256Hex(content));
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const py = PythonLockHolder.start(lock);
  t.after(() => py.close());
  assert.equal(await py.send("hold"), "held");
  const home = path.join(path.dirname(cache), "h");
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: cache } });
  t.after(() => d.stop());
  const r = await d.client.unary("cortex.v1.ModelService", "DeleteHfCache", { prune: true });
  assert.ok(r.kept_blobs.some((k) => k.includes(sha256Hex(content)) && /locked/.test(k)), r.kept_blobs.join("\n"));
  assert.ok(fs.existsSync(path.join(cache, "models--org--p", "blobs", sha256Hex(content))));
});

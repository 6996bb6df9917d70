import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { waitFinal } from "../helpers/jobs.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/cli/client.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub, randomBytes, TEST_TOKEN } from "../hub/loopback-hub.js";

const MiB = 1024 * 1024;

/** A valid safetensors file of about `bytes` (one U8 tensor), so the store counts the snapshot as a model. */
function safetensorsOf(bytes: number): Buffer {
  const n = bytes - 128;
  let header = JSON.stringify({ w: { dtype: "U8", shape: [n], data_offsets: [0, n] } });
  header = header.padEnd(Math.ceil((header.length + 8) / 8) * 8 - 8, " ");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), randomBytes(n)]);
}

function repos(big: number) {
  return {
    "org/tiny": { files: { "config.json": { data: Buffer.from('{"model_type":"llama"}\n') }, "model.safetensors": { data: safetensorsOf(big), lfs: true } } },
    "org/private": { private: true, files: { "config.json": { data: Buffer.from("{}\n") } } },
  };
}

test("cortex pull downloads through a worker process into the HF cache and writes a manifest; errors are typed", async (t) => {
  const dir = tempDir(t);
  const hub = await LoopbackHub.start(repos(2 * MiB));
  t.after(() => hub.close());
  const home = path.join(dir, "h");
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hf"), HF_TOKEN: "" };
  const d = await startDaemon(home, { env });
  t.after(() => d.stop());
  const r = await runCli(["--home", home, "pull", "org/tiny"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /done: .*"commit":"[0-9a-f]{40}"/);
  const snap = path.join(dir, "hf", "models--org--tiny", "snapshots", hub.commitOf("org/tiny"));
  assert.deepEqual(fs.readFileSync(path.join(snap, "model.safetensors")), hub.repos["org/tiny"]!.files["model.safetensors"]!.data);
  const manifests = fs.readdirSync(path.join(home, "manifests")).map((f) => JSON.parse(fs.readFileSync(path.join(home, "manifests", f), "utf8")));
  const manifest = manifests.find((m) => m.provenance?.sourceRepo === "org/tiny");
  assert.ok(manifest, `a manifest for org/tiny among ${manifests.length}`);
  assert.equal(manifest.provenance.revision, hub.commitOf("org/tiny"));
  assert.equal(manifest.provenance.convertedFrom.at(-1).kind, "pull");

  const priv = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/private" });
  const failed = await waitFinal(d.client, priv.job_id);
  assert.equal(failed.state, "JOB_STATE_FAILED");
  assert.equal(failed.error_code, "HUB_UNAUTHENTICATED");
  assert.match(failed.error_message, /org\/private/);
  const cli = await runCli(["--home", home, "pull", "org/missing"]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /HUB_NOT_FOUND: repo org\/missing not found/);
  assert.ok(!d.output().includes(TEST_TOKEN));
});

test("kill -9 of the daemon mid-download: after restart the job resumes and re-fetches at most one part", async (t) => {
  const dir = tempDir(t);
  // 6 parts of 32 MiB (the most a part holds), 4 at a time. What a kill -9 loses is ~100 ms of bytes plus
  // ≤ 1 MiB unflushed per running part, plus what sat in socket buffers (counted as served by the server but
  // never received): well under one part.
  const big = 192 * MiB;
  const hub = await LoopbackHub.start(repos(big));
  t.after(() => hub.close());
  hub.faults.set("model.safetensors", { throttle: 12 * MiB });
  const home = path.join(dir, "h");
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hf"), CORTEX_DOWNLOAD_PARTS: "4" };
  const d1 = await startDaemon(home, { env });
  const { job_id } = await d1.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/tiny" });
  for (;;) {
    const j = await d1.client.unary("cortex.v1.JobService", "GetJob", { job_id });
    if ((j.progress?.done ?? 0) > 30 * MiB) break;
    await sleep(100);
  }
  await d1.kill9();
  const servedBeforeCrash = hub.bytesServed("model.safetensors");
  hub.faults.delete("model.safetensors");
  const d2 = await startDaemon(home, { env });
  t.after(() => d2.stop());
  const done = await waitFinal(d2.client, job_id, 120_000);
  assert.equal(done.state, "JOB_STATE_COMPLETED", done.error_message);
  const snap = path.join(dir, "hf", "models--org--tiny", "snapshots", hub.commitOf("org/tiny"));
  assert.deepEqual(fs.readFileSync(path.join(snap, "model.safetensors")), hub.repos["org/tiny"]!.files["model.safetensors"]!.data);
  const refetched = hub.bytesServed("model.safetensors") - big;
  assert.ok(servedBeforeCrash > 30 * MiB);
  assert.ok(refetched <= 32 * MiB, `re-fetched ${(refetched / MiB).toFixed(1)} MiB; one part is 32 MiB`);
});

test("WatchJob of a pull: live byte progress, never more than 10 messages in any second, ends with the final state", async (t) => {
  const dir = tempDir(t);
  const hub = await LoopbackHub.start(repos(48 * MiB));
  t.after(() => hub.close());
  hub.faults.set("model.safetensors", { throttle: 8 * MiB }); // two connections: ~3 s, bytes land ~16 times a second
  const d = await startDaemon(path.join(dir, "h"), { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hf"), HF_TOKEN: "" } });
  t.after(() => d.stop());
  const { job_id } = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/tiny" });
  const stream = d.client.stream("cortex.v1.JobService", "WatchJob", { job_id });
  const at: number[] = [];
  const done: number[] = [];
  let last = "";
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (m) => {
      at.push(performance.now());
      last = m.job.state;
      if (m.job.progress?.phase === "downloading") done.push(Number(m.job.progress.done ?? 0));
    });
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  assert.equal(last, "JOB_STATE_COMPLETED");
  assert.ok(done.length >= 10, `progress while downloading (${done.length} updates)`);
  assert.ok(done.every((n, i) => i === 0 || n >= done[i - 1]!), "bytes done never go back");
  for (let i = 0; i < at.length; i++) {
    const inSecond = at.filter((x) => x >= at[i]! && x < at[i]! + 1000).length;
    assert.ok(inSecond <= 10, `${inSecond} messages within one second from message ${i}`);
  }
});

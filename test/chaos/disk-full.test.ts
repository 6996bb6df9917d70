import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { runDaemonToExit, startDaemon } from "../helpers/daemon.js";
import { LoopbackHub, randomBytes } from "../hub/loopback-hub.js";
import { fillDisk, jobSourceGguf, listTree, mountTmpfs, QUANTIZE, scratchDir, tmpfsUnavailable, waitFinal } from "./helpers.js";

const MiB = 1024 * 1024;
const skip = tmpfsUnavailable();

const pull = async (client: Parameters<typeof waitFinal>[0], repo: string) => (await client.unary("cortex.v1.JobService", "PullModel", { repo })).job_id;

test("ENOSPC during a download: the pull fails with IO_NO_SPACE, no partial file is left, the daemon keeps serving", { skip }, async (t) => {
  const dir = scratchDir(t);
  const cache = path.join(dir, "hf");
  mountTmpfs(cache, "8m");
  const hub = await LoopbackHub.start({
    // 12 MiB cannot fit at all: refused before a byte is fetched.
    "org/huge": { files: { "model.safetensors": { data: randomBytes(12 * MiB), lfs: true } } },
    // 2 × 5 MiB fit one at a time, not together: the disk fills up mid-download.
    "org/two": { files: { "a.safetensors": { data: randomBytes(5 * MiB), lfs: true }, "b.safetensors": { data: randomBytes(5 * MiB), lfs: true } } },
    "org/small": { files: { "config.json": { data: Buffer.from('{"model_type":"llama"}\n') } } },
  });
  t.after(() => hub.close());
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_TOKEN: "" } });
  t.after(() => d.stop());

  const huge = await waitFinal(d.client, await pull(d.client, "org/huge"));
  assert.equal(huge.state, "JOB_STATE_FAILED");
  assert.equal(huge.error_code, "IO_NO_SPACE");
  assert.match(huge.error_message, /org\/huge\/model\.safetensors: needs 12\.0 MiB, only [\d.]+ MiB free on .*hf/);
  assert.equal(hub.bytesServed("model.safetensors"), 0, "refused before downloading");

  const two = await waitFinal(d.client, await pull(d.client, "org/two"));
  assert.equal(two.state, "JOB_STATE_FAILED");
  assert.equal(two.error_code, "IO_NO_SPACE", two.error_message);
  assert.match(two.error_message, /no space left on device/);
  assert.equal(two.attempts_made, 1, "a full disk is not retried");
  // A blob that completed before the disk filled up is a valid cache entry; what was half-written must go.
  const leftovers = listTree(cache).filter((f) => /incomplete|parts\.json|\.tmp$/.test(f));
  assert.deepEqual(leftovers, [], "partial files are removed: the space is given back");

  const small = await waitFinal(d.client, await pull(d.client, "org/small"));
  assert.equal(small.state, "JOB_STATE_COMPLETED", `the daemon keeps serving: ${small.error_message}`);
});

test("ENOSPC during a quantization: the job fails with IO_NO_SPACE naming the output, no partial file is left, the daemon keeps serving", { skip }, async (t) => {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const home = path.join(scratchDir(t), "h");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "tiny-F16.gguf"));
  const out = QUANTIZE.outputDir(home);
  mountTmpfs(out, "8m");
  const filler = fillDisk(out, 64 * 1024);
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());

  const job = await waitFinal(d.client, await QUANTIZE.submit(d.client, "tiny-F16", "full"), 60_000);
  assert.equal(job.state, "JOB_STATE_FAILED");
  assert.equal(job.error_code, "IO_NO_SPACE", job.error_message);
  assert.match(job.error_message, /full\.gguf/);
  assert.match(job.error_message, /no space left/i);
  assert.equal(job.attempts_made, 1, "a full disk is not retried");
  assert.deepEqual(listTree(out), [".filler"], "no partial output left");

  fs.rmSync(filler);
  const ok = await waitFinal(d.client, await QUANTIZE.submit(d.client, "tiny-F16", "roomy"), 60_000);
  assert.equal(ok.state, "JOB_STATE_COMPLETED", `the daemon keeps serving: ${ok.error_message}`);
  const models = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
  assert.ok(!models.models.some((m) => m.name.includes("full")), "the failed output is not listed as a model");
});

test("a read-only CORTEX_HOME stops the start with a clear error", { skip }, async (t) => {
  const home = path.join(scratchDir(t), "ro");
  mountTmpfs(home, "1m", ["ro"]);
  const r = await runDaemonToExit(home);
  assert.equal(r.code, 73);
  assert.match(r.output, /CORTEX_HOME .*\/ro is not writable \(EROFS/);
});

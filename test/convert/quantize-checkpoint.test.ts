import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { musicgenRepo, writeRepo } from "../fixtures/make-seed-models.js";

test("cortex quantize <checkpoint> <type> runs the one-pass conversion; an impossible one is refused at submit; an existing output is REG_EXISTS unless --force", async (t) => {
  const home = path.join(tempDir(t), "h");
  await makeHfCheckpoint(path.join(home, "models", "tiny-llama"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1, dtype: "bf16" });
  writeRepo(path.join(home, "models", "musicgen-small"), musicgenRepo());
  fs.mkdirSync(path.join(home, "models", "adapter-only"), { recursive: true });
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);

  const q = await cli("quantize", "tiny-llama", "Q8_0");
  assert.equal(q.code, 0, q.stderr + q.stdout);
  const outs = fs.readdirSync(path.join(home, "quantized_models")).filter((f) => f.endsWith(".gguf"));
  assert.equal(outs.length, 1, outs.join(", "));
  const h = await readGgufHeader(path.join(home, "quantized_models", outs[0]!));
  assert.equal(Number((h.kv.get("general.file_type") as { value: number }).value), 7, "Q8_0 straight from the checkpoint (llama.cpp's MOSTLY_Q8_0)");
  const jobs = await d.client.unary("cortex.v1.JobService", "ListJobs", {});
  assert.deepEqual(jobs.jobs.map((j) => j.type), ["JOB_TYPE_CONVERT"], "one pass: a single conversion job, no intermediate F16");

  const again = await cli("quantize", "tiny-llama", "Q8_0");
  assert.notEqual(again.code, 0);
  assert.match(again.stderr + again.stdout, /REG_EXISTS|already exists/);
  const forced = await cli("quantize", "tiny-llama", "Q8_0", "--force");
  assert.equal(forced.code, 0, forced.stderr + forced.stdout);

  const before = (await d.client.unary("cortex.v1.JobService", "ListJobs", {})).jobs.length;
  const music = await cli("quantize", "musicgen-small", "Q4_K_M");
  assert.notEqual(music.code, 0);
  assert.match(music.stderr, /architecture "MusicgenForConditionalGeneration" is not supported/);
  const nothing = await cli("quantize", "adapter-only", "Q4_K_M");
  assert.notEqual(nothing.code, 0);
  assert.match(nothing.stderr, /not a model|no GGUF, weights|nothing to quantize/);
  assert.equal((await d.client.unary("cortex.v1.JobService", "ListJobs", {})).jobs.length, before, "refused requests queue no job");
});

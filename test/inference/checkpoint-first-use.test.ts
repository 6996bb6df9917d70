/**
 * Issue #15 (5): the first request for an unconverted SafeTensors checkpoint near the memory budget succeeds. The
 * budget is what `cortex ls` estimates for it: exactly that serves the F16 (before, the F16 was made, then
 * estimated larger than the headers had said, and the request failed RESOURCE_EXHAUSTED beside an unused F16);
 * a byte less makes the Q8_0 in one pass and leaves no F16. PyTorch-only checkpoints are refused with
 * FAILED_PRECONDITION saying safetensors are needed.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { CortexClient } from "../../src/cli/client.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { cortexCode, grpcCode, stream } from "./inference-client.js";

const CKPT = { hiddenSize: 256, intermediateSize: 512, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 300, dtype: "bf16", seed: 5 } as const;
const listJobs = async (client: CortexClient) => (await client.unary("cortex.v1.JobService", "ListJobs", {})).jobs;

/** A home holding one unconverted checkpoint, and what `ls` estimates for it (asked of a daemon without a budget). */
async function homeWithCheckpoint(dir: string): Promise<{ home: string; estimate: number }> {
  const home = path.join(dir, "h");
  await makeHfCheckpoint(path.join(home, "models", "ckpt"), CKPT);
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  try {
    const { models } = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
    const m = models.find((x) => x.name === "ckpt");
    assert.ok(m && Number(m.estimated_memory_bytes) > 0, JSON.stringify(models.map((x) => x.name)));
    return { home, estimate: Number(m.estimated_memory_bytes) };
  } finally {
    await d.stop();
  }
}

/** Runs the checkpoint once on a daemon with `budget` (default load settings); returns the stats, jobs and files left. */
async function firstUse(home: string, budget: number) {
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1", CORTEX_MEMORY_BUDGET: String(budget), CORTEX_MEMORY_RESERVE: "0" }, timeoutMs: 60_000 });
  try {
    const r = await stream(d.client, "Generate", { model: "ckpt", prompt: "the cat sat", sampling: { temperature: 0, max_tokens: 4 } });
    const loaded = (await d.client.unary("cortex.v1.InferenceService", "ListLoadedModels", {})).models.find((m) => m.model === "ckpt");
    return { stats: r.stats, jobs: await listJobs(d.client), estimate: Number(loaded?.estimated_memory_bytes ?? 0) };
  } finally {
    await d.stop();
  }
}

test("first use of an unconverted checkpoint with a budget of exactly ls's estimate: served as F16, admitted at that estimate", async (t) => {
  const { home, estimate } = await homeWithCheckpoint(tempDir(t));
  const r = await firstUse(home, estimate);
  assert.equal(r.stats.generated_tokens, 4);
  assert.equal(r.stats.variant, "F16", r.stats.variant_reason);
  assert.equal(r.estimate, estimate, "admitted at the estimate ls showed");
  assert.deepEqual(r.jobs.map((j) => [j.type, j.state]), [["JOB_TYPE_CONVERT", "JOB_STATE_COMPLETED"]]);
  assert.ok(fs.existsSync(path.join(home, "models", "ckpt-F16.gguf")), "the F16 is the model served, kept for next time");
});

test("first use of an unconverted checkpoint with a byte less than ls's estimate: Q8_0 made in one pass, no F16 left behind", async (t) => {
  const { home, estimate } = await homeWithCheckpoint(tempDir(t));
  const r = await firstUse(home, estimate - 1);
  assert.equal(r.stats.generated_tokens, 4);
  assert.equal(r.stats.variant, "Q8_0", r.stats.variant_reason);
  assert.match(r.stats.variant_reason, /^SafeTensors checkpoint converted to Q8_0 GGUF: F16 needs .* available; Q8_0 needs/);
  assert.ok(r.estimate > 0 && r.estimate < estimate);
  assert.deepEqual(r.jobs.map((j) => [j.type, j.state]), [["JOB_TYPE_CONVERT", "JOB_STATE_COMPLETED"]], "one conversion, straight to Q8_0");
  assert.ok(fs.existsSync(path.join(home, "quantized_models", "ckpt-Q8_0.gguf")));
  const leftovers = [path.join(home, "models"), path.join(home, "quantized_models")].flatMap((dir) => fs.readdirSync(dir).filter((n) => /F16/i.test(n)));
  assert.deepEqual(leftovers, [], "no F16 made on the way");
});

test("a PyTorch-only checkpoint is refused on first use with FAILED_PRECONDITION saying safetensors are needed; no job", async (t) => {
  const home = path.join(tempDir(t), "h");
  const pt = path.join(home, "models", "pt-only");
  fs.mkdirSync(pt, { recursive: true });
  fs.writeFileSync(path.join(pt, "config.json"), JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama", torch_dtype: "float16" }));
  fs.writeFileSync(path.join(pt, "pytorch_model.bin"), Buffer.alloc(4000));
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const err = await stream(d.client, "Generate", { model: "pt-only", prompt: "x" }).catch((e: unknown) => e);
  assert.equal(grpcCode(err), grpc.status.FAILED_PRECONDITION, String(err));
  assert.equal(cortexCode(err), "CONV_NEEDS_SAFETENSORS");
  assert.match((err as Error).message, /model "pt-only" \([0-9a-f]+\) has only PyTorch pickles: safetensors weights are needed to convert it/);
  assert.deepEqual(await listJobs(d.client), []);
});

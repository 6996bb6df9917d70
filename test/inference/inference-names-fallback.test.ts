import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { CortexClient } from "../../src/cli/client.js";
import { ERROR_CODES } from "../../src/errors/codes.js";
import type { CortexError } from "../../src/errors/cortex-error.js";
import { estimateMemory } from "../../src/inference/engine/estimate-memory.js";
import { inspectCheckpoint } from "../../src/inference/inspect-checkpoint.js";
import { estimateLoad } from "../../src/store/inspect/estimate-load.js";
import { chooseFallback } from "../../src/inference/quant-fallback.js";
import { runnablePath } from "../../src/inference/store-resolver.js";
import type { ModelRecord } from "../../src/store/model-types.js";
import { LoadPreparer } from "../../src/inference/scheduler/prepare-load.js";
import { inspectModelFile } from "../../src/inference/inspect-model-file.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { call, cortexCode, grpcCode, listModels, stream } from "./inference-client.js";

const greedy = (max: number) => ({ temperature: 0, max_tokens: max });
interface Job { id: string; type: string; state: string; params_json: string }
const listJobs = async (client: CortexClient) => (await client.unary("cortex.v1.JobService", "ListJobs", {})).jobs;

describe("names: the pool runs what `cortex ls` shows", { skip: tinyModelsUnavailable() }, () => {
  test("Generate by store name and by id prefix share one entry shown under the first name; cortex run/ps by name; unknown names are NOT_FOUND", async (t) => {
    const home = path.join(tempDir(t), "h");
    const file = copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
    const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
    t.after(() => d.stop());
    const { models } = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
    const tiny = models.find((m) => m.name === "tiny");
    assert.ok(tiny, JSON.stringify(models));

    const byName = await stream(d.client, "Generate", { model: "tiny", prompt: "the cat sat", sampling: greedy(6) });
    assert.equal(byName.stats.generated_tokens, 6);
    assert.ok(byName.stats.load_ms > 0);
    const byId = await stream(d.client, "Generate", { model: tiny.id.slice(0, 6), prompt: "the cat sat", sampling: greedy(6) });
    assert.equal(byId.stats.load_ms, 0, "the id prefix names the resident model: no second load");
    assert.equal(byId.text, byName.text);
    const byPath = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "the cat sat", sampling: greedy(6) });
    assert.equal(byPath.stats.load_ms, 0, "and so does its path");
    const loaded = (await listModels(d.client)).models;
    assert.equal(loaded.length, 1);
    assert.equal(loaded[0]!.model, "tiny", "shown under the name it was loaded by");
    assert.equal(loaded[0]!.path, fs.realpathSync(file));
    assert.equal(loaded[0]!.requests_served, 3);

    const cli = (...args: string[]) => runCli(["--home", home, ...args]);
    const run = await cli("run", tiny.id, "hello", "--max-tokens", "4", "--temperature", "0");
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.trim().length > 0);
    const ps = await cli("ps");
    assert.match(ps.stdout, /^tiny\s/m);
    const unload = await cli("unload", "tiny");
    assert.equal(unload.code, 0, unload.stderr);

    const missing = await stream(d.client, "Generate", { model: "nosuch", prompt: "x" }).catch((e: unknown) => e);
    assert.equal(grpcCode(missing), grpc.status.NOT_FOUND);
    assert.match((missing as Error).message, /no model matches "nosuch"/);
    const cliMissing = await cli("run", "nosuch", "hi");
    assert.equal(cliMissing.code, 1);
    assert.match(cliMissing.stderr, /NOT_FOUND: no model matches "nosuch"/);

    // A checkpoint whose conversion job fails: the request fails with the job's error, naming the model; nothing is left.
    const foo = path.join(home, "models", "foo");
    await makeHfCheckpoint(foo, { hiddenSize: 256, intermediateSize: 512, numLayers: 1 });
    const cfg = path.join(foo, "config.json");
    fs.writeFileSync(cfg, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfg, "utf8")), architectures: ["FooForCausalLM"] }));
    const failed = await stream(d.client, "Generate", { model: "foo", prompt: "x" }).catch((e: unknown) => e);
    assert.equal(grpcCode(failed), grpc.status.UNIMPLEMENTED, String(failed));
    assert.equal(cortexCode(failed), "CONV_UNSUPPORTED_ARCH");
    assert.match((failed as Error).message, /making the F16 variant of .*models\/foo \(convert job conv[^)]*\) failed: .*FooForCausalLM/);
    assert.ok(!fs.existsSync(path.join(home, "models", "foo-F16.gguf")));
    assert.deepEqual((await listModels(d.client)).models, [], "nothing loaded");

  });
});

test("runnablePath: a GGUF's first shard, a checkpoint's or MLX model's folder; other formats and broken models are refused by name", () => {
  const rec = (facts: object, kind: "gguf" | "folder", paths: string[]) => ({ id: "abcdef012345", name: "m", kind, paths, facts: { format: "GGUF", ...facts } }) as unknown as ModelRecord;
  assert.equal(runnablePath(rec({}, "gguf", ["/m/x-00001-of-00002.gguf", "/m/x-00002-of-00002.gguf"]), "x"), "/m/x-00001-of-00002.gguf");
  assert.equal(runnablePath(rec({ format: "SAFETENSORS" }, "folder", ["/m/ckpt"]), "ckpt"), "/m/ckpt");
  assert.equal(runnablePath(rec({ format: "MLX" }, "folder", ["/m/mlx"]), "mlx"), "/m/mlx", "MLX folders are converted on load (#17)");
  assert.throws(() => runnablePath(rec({ format: "GPTQ" }, "folder", ["/m/gptq"]), "gptq"), (e: CortexError) => e.code === "FMT_UNSUPPORTED" && /model "gptq" \(abcdef012345\) is GPTQ/.test(e.message));
  assert.throws(() => runnablePath(rec({ brokenReason: "missing part 2" }, "gguf", ["/m/y-00001-of-00002.gguf"]), "y"), (e: CortexError) => e.code === "REG_BROKEN" && /missing part 2/.test(e.message));
});

test("a checkpoint without a quantizer is refused with FAILED_PRECONDITION telling the user to convert it", async (t) => {
  const dir = tempDir(t);
  await makeHfCheckpoint(path.join(dir, "ckpt"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1 });
  const preparer = new LoadPreparer({ inspect: inspectModelFile, estimate: estimateMemory, defaults: { contextSize: 4096, parallel: 4, threads: 1 } });
  await assert.rejects(
    preparer.prepare(path.join(dir, "ckpt"), {}, { name: "ckpt", gpu: Promise.resolve(false), availableBytes: () => 1e12 }),
    (e: CortexError) => e.code === "INF_LOAD_FAILED" && ERROR_CODES[e.code].status === "FAILED_PRECONDITION" && /"ckpt" is a SafeTensors checkpoint .* convert it to GGUF first: cortex convert ckpt --to gguf/.test(e.message),
  );
});

/**
 * A SafeTensors checkpoint (hidden sizes multiples of 256: K-quants apply) run by name: converted to F16 by a
 * job when that fits; with a budget below the F16's estimate, Q8_0; below Q8_0's, Q4_K_M. Budgets come from the
 * estimate the pool reported for the F16, split the way the pool splits it, so the choices are exact.
 */
test("SafeTensors checkpoint by name: converted through jobs to F16, Q8_0 or Q4_K_M by the budget; variants cached (no second job)", async (t) => {
  const home = path.join(tempDir(t), "h");
  await makeHfCheckpoint(path.join(home, "models", "ckpt"), { hiddenSize: 512, intermediateSize: 1536, numLayers: 4, numHeads: 8, numKvHeads: 4, dtype: "bf16" });
  const load = { context_size: 128, parallel: 1 };
  const gen = (client: CortexClient, model = "ckpt") => stream(client, "Generate", { model, prompt: "the cat sat", sampling: greedy(4), load });

  /** Runs the checkpoint twice (unloading in between) on a daemon with `budget`; returns what it loaded. */
  const twice = async (budget: number | undefined, type: string, model = "ckpt") => {
    const d = await startDaemon(home, { env: { CORTEX_THREADS: "1", ...(budget ? { CORTEX_MEMORY_BUDGET: String(budget) } : {}) }, timeoutMs: 60_000 });
    try {
      const jobsBefore = (await listJobs(d.client)).length;
      const first = await gen(d.client, model);
      assert.equal(first.stats.generated_tokens, 4);
      assert.equal(first.stats.variant, type, first.stats.variant_reason);
      const jobs = await listJobs(d.client);
      assert.equal(jobs.length, jobsBefore + 1, `one job made the ${type}: ${JSON.stringify(jobs)}`);
      const job = jobs[0]!;
      assert.equal(job.state, "JOB_STATE_COMPLETED");
      const { models, budget_bytes } = await listModels(d.client);
      const m = models.find((x) => x.model === model)!;
      assert.equal(m.variant, type);
      if (budget) assert.equal(budget_bytes, budget);
      await call(d.client, "UnloadModel", { model });
      const second = await gen(d.client, model);
      assert.ok(second.stats.load_ms > 0, "loaded again");
      assert.equal(second.stats.variant, type);
      assert.equal((await listJobs(d.client)).length, jobsBefore + 1, "the cached variant was reused: no new job");
      return { stats: first.stats, job, estimate: m.estimated_memory_bytes };
    } finally {
      await d.stop();
    }
  };

  const f16 = await twice(undefined, "F16");
  assert.match(f16.stats.variant_reason, /^SafeTensors checkpoint converted to F16 GGUF: fits as F16/);
  assert.equal(f16.job.type, "JOB_TYPE_CONVERT");
  const f16File = path.join(home, "models", "ckpt-F16.gguf");
  assert.ok(fs.existsSync(f16File));
  // The pool's own estimate of the checkpoint (what `ls` shows for it at this context), split as the fallback policy sees it.
  const ckptDir = path.join(home, "models", "ckpt");
  const info = await inspectCheckpoint(ckptDir, undefined);
  const real = await estimateLoad({ weightsBytes: info.servedWeightsBytes, kv: info.kv }, { contextSize: 128, parallel: 1 });
  assert.equal(real.totalBytes, f16.estimate, "the test's numbers are the pool's");
  const choose = (availableBytes: number) => chooseFallback({ originalType: "F16", weightsBytes: real.weightsBytes, contextBytes: real.contextBytes, availableBytes });

  const q8Budget = f16.estimate - 1;
  const q8Choice = choose(q8Budget);
  assert.equal(q8Choice.variant, "Q8_0");
  const q8 = await twice(q8Budget, "Q8_0");
  assert.match(q8.stats.variant_reason, /F16 needs .* available; Q8_0 needs/);
  assert.equal(q8.job.type, "JOB_TYPE_CONVERT", "made from the checkpoint in one pass");
  assert.ok(fs.existsSync(path.join(home, "quantized_models", "ckpt-Q8_0.gguf")));
  assert.ok(q8.estimate <= q8Budget, `the Q8_0 (${q8.estimate}) fits the budget`);

  if (q8Choice.variant !== "Q8_0") return;
  const q4Budget = q8Choice.estimatedBytes - 1;
  assert.equal(choose(q4Budget).variant, "Q4_K_M");
  // The F16 GGUF (a model of its own in the store) falls back through a quantize job; the checkpoint then reuses its output.
  const q4 = await twice(q4Budget, "Q4_K_M", "ckpt-F16");
  assert.match(q4.stats.variant_reason, /Q8_0 would need/);
  assert.equal(q4.job.type, "JOB_TYPE_QUANTIZE");
  assert.ok(fs.existsSync(path.join(home, "quantized_models", "ckpt-Q4_K_M.gguf")));
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1", CORTEX_MEMORY_BUDGET: String(q4Budget) } });
  t.after(() => d.stop());
  const jobsBefore = (await listJobs(d.client)).length;
  const reused = await gen(d.client);
  assert.equal(reused.stats.variant, "Q4_K_M");
  assert.equal((await listJobs(d.client)).length, jobsBefore, "the checkpoint reuses the Q4_K_M the GGUF's fallback made");
  assert.equal(fs.existsSync(path.join(home, "models", "ckpt-F16.gguf")), true);
});

/**
 * MLX models run in the pool (issue #17): an MLX model in mlx_models/ (4-bit from cortexd's own MLX converter, a
 * Phi-3-shaped 4-bit, a float one, a fused LoRA one; one in the HF cache) answers `cortex run` and gRPC Generate/Chat. On first use one convert job makes
 * its GGUF (concurrent requests share it) under quantized_models/, reused afterwards; the pool says
 * `variant: "gguf-from-mlx"` with the reason; the greedy text equals llama.cpp's on that same GGUF.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { getLlama, LlamaCompletion } from "node-llama-cpp";
import type { CortexClient } from "../../src/cli/client.js";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { estimateMemory } from "../../src/inference/engine/estimate-memory.js";
import { inspectCheckpoint, inspectMlxFolder } from "../../src/inference/inspect-checkpoint.js";
import { estimateLoad } from "../../src/store/inspect/estimate-load.js";
import { inspectModelFile } from "../../src/inference/inspect-model-file.js";
import { LoadPreparer, resolveSpec } from "../../src/inference/scheduler/prepare-load.js";
import { convertToMlx } from "../../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { makeHfArchCheckpoint } from "../fixtures/make-hf-arch-checkpoint.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { writeMlxAdapter } from "../mlx/lora-fixture.js";
import { mlxQuantizeFolder } from "../fixtures/make-mlx-folder.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { call, stream } from "./inference-client.js";

const PROMPT = "the cat sat on the";
const sampling = { temperature: 0, max_tokens: 8, repeat_penalty: 1 };
const load = { context_size: 128, parallel: 1 };
const listJobs = async (client: CortexClient) => (await client.unary("cortex.v1.JobService", "ListJobs", {})).jobs;

/** llama.cpp's own greedy continuation (node-llama-cpp, repeat penalty off as requested below) of PROMPT on `file`. */
async function llamaCppGreedy(file: string): Promise<string> {
  const llama = await getLlama({ gpu: false, logger: () => undefined });
  try {
    const model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
    const ctx = await model.createContext({ contextSize: 128, threads: 1 });
    const text = await new LlamaCompletion({ contextSequence: ctx.getSequence() }).generateCompletion(PROMPT, { maxTokens: 8, temperature: 0, repeatPenalty: false });
    await ctx.dispose();
    await model.dispose();
    return text;
  } finally {
    await llama.dispose();
  }
}

async function mlx4(hfDir: string, dest: string): Promise<string> {
  const pool = QuantizePool.create({ threads: 1 });
  try {
    const r = await convertToMlx(hfDir, () => dest, { quantize: true, bits: 4, groupSize: 64, recipe: "", pool });
    assert.equal(r.status, "converted");
    return r.path;
  } finally {
    await pool.close();
  }
}

test("an MLX 4-bit model in mlx_models/: one job (shared by concurrent requests) makes its Q4_1 GGUF; gguf-from-mlx; Generate, Chat and cortex run give llama.cpp's greedy text; reused on restart", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  const hf = await makeHfCheckpoint(path.join(dir, "hf"), { hiddenSize: 256, intermediateSize: 512, numLayers: 2, vocabSize: 300, dtype: "bf16", seed: 11 });
  await mlx4(hf.dir, path.join(home, "mlx_models", "tiny-4bit"));
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" }, timeoutMs: 60_000 });
  let gguf: string;
  try {
    const { models } = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
    const m = models.find((x) => x.name === "tiny-4bit");
    assert.ok(m, JSON.stringify(models.map((x) => x.name)));
    const gen = () => stream(d.client, "Generate", { model: "tiny-4bit", prompt: PROMPT, sampling, load });
    const [a, b] = await Promise.all([gen(), gen()]);
    assert.equal(a.stats.variant, "gguf-from-mlx");
    assert.match(a.stats.variant_reason, /^MLX 4-bit model \(group size 64\) served as its Q4_1 GGUF, repacked bit-exact/);
    assert.equal(b.text, a.text);
    const jobs = await listJobs(d.client);
    assert.equal(jobs.length, 1, `one job for both requests: ${JSON.stringify(jobs)}`);
    assert.equal(jobs[0]!.type, "JOB_TYPE_CONVERT");
    const result = JSON.parse(jobs[0]!.result_json) as { path: string; bit_exact: string; variant: string };
    assert.equal(result.variant, "gguf-from-mlx");
    assert.equal(result.bit_exact, "16 of 16 quantized tensors");
    gguf = path.join(home, "quantized_models", "tiny-4bit-Q4_1.gguf");
    assert.equal(fs.realpathSync(result.path), fs.realpathSync(gguf));

    const reference = await llamaCppGreedy(gguf);
    assert.ok(reference.length > 0);
    const direct = await stream(d.client, "Generate", { model: gguf, prompt: PROMPT, sampling, load });
    assert.equal(direct.text, a.text, `the MLX model serves that very GGUF (${JSON.stringify(direct.stats)} ${JSON.stringify(a.stats)})`);
    assert.equal(a.text, reference, `the pool's greedy text is llama.cpp's on the same GGUF (${JSON.stringify(a.stats)})`);
    const run = await runCli(["--home", home, "run", "tiny-4bit", PROMPT, "--raw", "--max-tokens", "8", "--temperature", "0", "--repeat-penalty", "1"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trimEnd(), reference.trimEnd());
    const chat = await stream(d.client, "Chat", { model: "tiny-4bit", messages: [{ role: "user", content: "hello" }], sampling, load });
    assert.ok(chat.stats.generated_tokens > 0);
    assert.equal(chat.stats.variant, "gguf-from-mlx");
    const loaded = (await call(d.client, "ListLoadedModels", {})).models;
    assert.equal(loaded.find((x) => x.model === "tiny-4bit")?.variant, "gguf-from-mlx");
  } finally {
    await d.stop();
  }
  const d2 = await startDaemon(home, { env: { CORTEX_THREADS: "1" }, timeoutMs: 60_000 });
  try {
    const before = (await listJobs(d2.client)).length;
    const again = await stream(d2.client, "Generate", { model: "tiny-4bit", prompt: PROMPT, sampling, load });
    assert.equal(again.stats.variant, "gguf-from-mlx");
    assert.equal((await listJobs(d2.client)).length, before, "the cached GGUF is reused: no new job");
  } finally {
    await d2.stop();
  }
});

test("a Phi-3-shaped 4-bit MLX model (fused qkv and gate_up) and a float MLX model run through cortex run", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  await makeHfArchCheckpoint(path.join(dir, "phi3"), { arch: "phi3", hiddenSize: 128, intermediateSize: 256, numLayers: 2 });
  await mlxQuantizeFolder(path.join(dir, "phi3"), path.join(home, "mlx_models", "phi3-4bit"), 4, 64);
  const hf = await makeHfCheckpoint(path.join(dir, "hf"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1, vocabSize: 300, dtype: "bf16", seed: 4 });
  const pool = QuantizePool.create({ threads: 1 });
  t.after(() => pool.close());
  const float = await convertToMlx(hf.dir, () => path.join(home, "mlx_models", "tiny-bf16"), { quantize: false, bits: 0, groupSize: 0, recipe: "", dtype: "bfloat16", pool });
  assert.equal(float.status, "converted");
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" }, timeoutMs: 60_000 });
  try {
    const phi = await runCli(["--home", home, "run", "phi3-4bit", "hello", "--max-tokens", "4", "--temperature", "0", "--json"]);
    assert.equal(phi.code, 0, phi.stderr);
    const phiStats = phi.stdout.trim().split("\n").map((l) => JSON.parse(l) as { stats?: { variant: string; generated_tokens: number } }).find((x) => x.stats)?.stats;
    assert.equal(phiStats?.variant, "gguf-from-mlx", phi.stdout);
    assert.ok(fs.existsSync(path.join(home, "quantized_models", "phi3-4bit-Q4_1.gguf")));
    const fl = await stream(d.client, "Generate", { model: "tiny-bf16", prompt: PROMPT, sampling, load });
    assert.equal(fl.stats.variant, "gguf-from-mlx");
    assert.match(fl.stats.variant_reason, /^MLX float model converted to F16 GGUF/);
    assert.ok(fl.stats.generated_tokens > 0);
  } finally {
    await d.stop();
  }
});

test("cortex convert <mlx> --to gguf (auto = bit-exact Q4_1, --outtype q8_0, a K-quant refused), a fused 4-bit LoRA model and an MLX model in the HF cache through cortex run", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  const hub = path.join(dir, "hub");
  await makeHfCheckpoint(path.join(home, "models", "tiny"), { numLayers: 2, hiddenSize: 256, intermediateSize: 512, vocabSize: 300, seed: 8 });
  await writeMlxAdapter(path.join(home, "models", "ad"), 2);
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1", HF_HUB_CACHE: hub, HF_TOKEN: "" }, timeoutMs: 60_000 });
  try {
    const cli = (...args: string[]) => runCli(["--home", home, ...args], { HF_HUB_CACHE: hub });
    const conv = await cli("convert", "tiny", "--to", "mlx", "--bits", "4", "--group-size", "64");
    assert.equal(conv.code, 0, conv.stderr);
    const toGguf = await cli("convert", "tiny-4bit", "--to", "gguf");
    assert.equal(toGguf.code, 0, toGguf.stderr);
    const q41 = path.join(home, "quantized_models", "tiny-4bit-Q4_1.gguf");
    assert.ok(fs.existsSync(q41), toGguf.stdout);
    const manifests = fs.readdirSync(path.join(home, "manifests")).map((f) => JSON.parse(fs.readFileSync(path.join(home, "manifests", f), "utf8")) as { paths: string[]; provenance: { convertedFrom: { source: string; recipe: Record<string, unknown> }[] } });
    const m = manifests.find((x) => x.paths.some((p) => p.endsWith("tiny-4bit-Q4_1.gguf")));
    assert.ok(m, "a manifest for the GGUF");
    const step = m.provenance.convertedFrom.at(-1)!;
    assert.equal(step.recipe["from"], "mlx");
    assert.equal(step.recipe["bit_exact"], "16 of 16 quantized tensors");
    assert.equal((step.recipe["mapping"] as Record<string, string>)["attn_q.weight"], "4-bit g64 → Q4_1 (bit-exact)");
    const q8 = await cli("convert", "tiny-4bit", "--to", "gguf", "--outtype", "q8_0");
    assert.equal(q8.code, 0, q8.stderr);
    assert.ok(fs.existsSync(path.join(home, "quantized_models", "tiny-4bit-Q8_0.gguf")));
    const k = await cli("convert", "tiny-4bit", "--to", "gguf", "--outtype", "q4_k_m");
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /QUANT_UNSUPPORTED_TYPE: .*MLX 4-bit model.*auto is the bit-exact Q4_1/);

    // The pool reuses the GGUF `cortex convert` made: no new job.
    const jobsBefore = (await listJobs(d.client)).length;
    const run = await cli("run", "tiny-4bit", PROMPT, "--raw", "--max-tokens", "4", "--temperature", "0");
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await listJobs(d.client)).length, jobsBefore);

    const fuse = await cli("fuse", "tiny-4bit", "ad");
    assert.equal(fuse.code, 0, fuse.stderr);
    const fused = await cli("run", "tiny-4bit-fused-ad", "hello", "--max-tokens", "4", "--temperature", "0", "--json");
    assert.equal(fused.code, 0, fused.stderr);
    assert.match(fused.stdout, /"variant":"gguf-from-mlx"/);
    assert.ok(fs.existsSync(path.join(home, "quantized_models", "tiny-4bit-fused-ad-Q4_1.gguf")));

    // An MLX model in the HF cache, by repo id.
    const folder = path.join(home, "mlx_models", "tiny-4bit");
    const files: Record<string, Uint8Array> = {};
    for (const f of fs.readdirSync(folder)) if (fs.statSync(path.join(folder, f)).isFile()) files[f] = fs.readFileSync(path.join(folder, f));
    makeHfCache(hub, [{ repo: "mlx-community/tiny-4bit", revisions: [{ commit: commitOf("mlx"), refs: ["main"], files }] }]);
    const cached = await stream(d.client, "Generate", { model: "mlx-community/tiny-4bit", prompt: PROMPT, sampling, load });
    assert.equal(cached.stats.variant, "gguf-from-mlx");
    assert.ok(cached.stats.generated_tokens > 0);
  } finally {
    await d.stop();
  }
});

test("an MLX float model that does not fit as F16 falls back to Q8_0 like any checkpoint (INT8 before INT4), named as MLX in the reason", async (t) => {
  const dir = tempDir(t);
  const hf = await makeHfCheckpoint(path.join(dir, "hf"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1, vocabSize: 300, dtype: "bf16", seed: 6 });
  const pool = QuantizePool.create({ threads: 1 });
  t.after(() => pool.close());
  const mlx = path.join(dir, "tiny-bf16");
  assert.equal((await convertToMlx(hf.dir, () => mlx, { quantize: false, bits: 0, groupSize: 0, recipe: "", dtype: "bfloat16", pool })).status, "converted");
  const made = path.join(dir, "made.gguf");
  await convertHfToGguf({ sourceDir: hf.dir, outPath: made, outtype: "q8_0" });
  const asked: string[] = [];
  const preparer = new LoadPreparer({
    inspect: inspectModelFile, estimate: estimateMemory, defaults: { contextSize: 128, parallel: 1, threads: 1 },
    quantizer: { existing: async () => undefined, quantize: async (_src, type) => (asked.push(type), made) },
  });
  const spec = resolveSpec({ path: mlx, trainContextSize: 2048 }, {}, { contextSize: 128, parallel: 1, threads: 1 });
  const info = await inspectCheckpoint(mlx, await inspectMlxFolder(mlx));
  const est = await estimateLoad({ weightsBytes: info.servedWeightsBytes, kv: info.kv }, spec);
  const available = Math.ceil((est.weightsBytes * 8.5) / 16) + est.contextBytes + 1024;
  assert.ok(available < est.totalBytes, "F16 does not fit");
  const p = await preparer.prepare(mlx, {}, { name: "tiny-bf16", gpu: Promise.resolve(false), availableBytes: () => available });
  assert.deepEqual(asked, ["Q8_0"]);
  assert.equal(p.variant, "Q8_0");
  assert.match(p.variantReason, /^MLX float model converted to Q8_0 GGUF: F16 needs/);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { ModelRecord } from "../../src/store/model-types.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { npzBytes, ENCODEC_PARAMS, fluxDiffusersParams, fluxDiffusersRepo, fluxSwiftRepo, musicgenParams, musicgenRepo, MUSICGEN, PHI3, PHI3_PARAMS, seedRepos, writeRepo, encodecMlxRepo, phi3MlxRepo } from "../fixtures/make-seed-models.js";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { ERROR_CODES } from "../../src/errors/codes.js";
import { runnablePath } from "../../src/inference/store-resolver.js";
import { newStore, storeRoots } from "./helpers.js";

const byName = (models: readonly ModelRecord[], name: string): ModelRecord => {
  const m = models.find((x) => x.name === name);
  assert.ok(m, `model ${name} not listed; have ${models.map((x) => x.name).join(", ")}`);
  return m;
};

test("a diffusers FLUX repo in cortexd's folders is one FluxPipeline model with its components; the single files are alternates", async (t) => {
  const r = storeRoots(t);
  writeRepo(path.join(r.models, "FLUX.1-schnell"), fluxDiffusersRepo("schnell"));
  const { models } = await newStore(r).list();
  assert.deepEqual(models.map((m) => m.name), ["FLUX.1-schnell"], "one model, no part listed on its own");
  const m = models[0]!;
  assert.equal(m.facts.brokenReason, undefined);
  assert.equal(m.facts.architecture, "FluxPipeline");
  assert.deepEqual([m.facts.format, m.facts.quantization, m.facts.bits?.main], ["SAFETENSORS", "BF16", 16]);
  const comps = m.facts.components ?? [];
  assert.deepEqual(comps.map((c) => [c.name, c.className]), [
    ["scheduler", "FlowMatchEulerDiscreteScheduler"],
    ["text_encoder", "CLIPTextModel"],
    ["text_encoder_2", "T5EncoderModel"],
    ["tokenizer", "CLIPTokenizer"],
    ["tokenizer_2", "T5TokenizerFast"],
    ["transformer", "FluxTransformer2DModel"],
    ["vae", "AutoencoderKL"],
  ]);
  const tr = comps.find((c) => c.name === "transformer")!;
  assert.deepEqual([tr.format, tr.quantization, tr.quantizationLabel], ["SAFETENSORS", "BF16", "bf16"]);
  assert.equal(m.facts.parameterCount, fluxDiffusersParams(), "the parts' sum, the single files not counted again");
  assert.equal(m.facts.parameterCount, comps.reduce((s, c) => s + c.parameterCount, 0));
  assert.equal(comps.find((c) => c.name === "tokenizer")!.format, undefined, "a tokenizer has no weights");
  assert.deepEqual(m.facts.alternates?.map((a) => a.rel), ["ae.safetensors", "flux1-schnell.safetensors"]);
  assert.match(m.facts.notes?.join("\n") ?? "", /doubles the disk.*--exclude "ae\.safetensors" --exclude "flux1-schnell\.safetensors"/s);
  assert.ok(m.estimatedMemoryBytes > 0);
});

test("flux.swift 4-bit and 8-bit MLX folders: bits and group size read from the tensors, parameters not doubled, the BF16 VAE a component", async (t) => {
  const r = storeRoots(t);
  writeRepo(path.join(r.mlxModels, "flux1.schnell.4bit.mlx"), fluxSwiftRepo(4));
  writeRepo(path.join(r.mlxModels, "flux1.schnell.8bit.mlx"), fluxSwiftRepo(8));
  const { models } = await newStore(r).list();
  assert.deepEqual(models.map((m) => m.name), ["flux1.schnell.4bit.mlx", "flux1.schnell.8bit.mlx"]);
  const four = byName(models, "flux1.schnell.4bit.mlx");
  const eight = byName(models, "flux1.schnell.8bit.mlx");
  for (const [m, bits] of [[four, 4], [eight, 8]] as const) {
    assert.equal(m.facts.brokenReason, undefined);
    assert.equal(m.facts.format, "MLX");
    assert.equal(m.facts.architecture, "FluxPipeline");
    assert.deepEqual(m.facts.mlx, { bits, groupSize: 64, mode: "affine" });
    assert.equal(m.facts.quantization, bits === 4 ? "INT4" : "INT8");
    assert.equal(m.facts.bits?.main, bits);
    const vae = m.facts.components?.find((c) => c.name === "vae");
    assert.deepEqual([vae?.format, vae?.quantization, vae?.quantizationLabel], ["SAFETENSORS", "BF16", "bf16"]);
    assert.equal(m.facts.components?.find((c) => c.name === "transformer")?.quantization, bits === 4 ? "INT4" : "INT8");
  }
  assert.equal(eight.facts.parameterCount, four.facts.parameterCount, "the 8-bit variant's parameters are not doubled");
  assert.equal(four.facts.parameterCount, fluxDiffusersParams());
});

test("MusicGen: context and vocabulary from the decoder sub-config, three sub-models as components, legacy pickles as alternates", async (t) => {
  const r = storeRoots(t);
  writeRepo(path.join(r.models, "musicgen-small"), musicgenRepo());
  const { models } = await newStore(r).list();
  const m = byName(models, "musicgen-small");
  assert.equal(m.facts.architecture, "musicgen");
  assert.deepEqual([m.facts.format, m.facts.quantization], ["SAFETENSORS", "FP32"]);
  assert.deepEqual([m.facts.contextLength, m.facts.vocabSize], [MUSICGEN.decoderContext, MUSICGEN.decoderVocab]);
  const p = musicgenParams();
  assert.equal(m.facts.parameterCount, p.total);
  assert.deepEqual(m.facts.components?.map((c) => [c.name, c.className, c.parameterCount]), [
    ["text_encoder", "T5EncoderModel", p.text_encoder],
    ["audio_encoder", "EncodecModel", p.audio_encoder],
    ["decoder", "musicgen_decoder", p.decoder],
  ]);
  assert.deepEqual(m.facts.alternates?.map((a) => a.rel), ["compression_state_dict.bin", "pytorch_model.bin", "state_dict.bin"]);
});

test("EnCodec (MLX) is an MLX model with its architecture; Phi-3 MLX 4-bit reports INT4 with the affine detail", async (t) => {
  const r = storeRoots(t);
  writeRepo(path.join(r.mlxModels, "encodec-32khz-float32"), encodecMlxRepo());
  writeRepo(path.join(r.mlxModels, "Phi-3-mini-4k-instruct-unsloth-4bit"), phi3MlxRepo());
  const store = newStore(r);
  const { models } = await store.list();
  const e = byName(models, "encodec-32khz-float32");
  assert.deepEqual([e.facts.format, e.facts.architecture, e.facts.quantization, e.facts.parameterCount], ["MLX", "encodec", "FP32", ENCODEC_PARAMS]);
  const phi = byName(models, "Phi-3-mini-4k-instruct-unsloth-4bit");
  assert.deepEqual([phi.facts.format, phi.facts.architecture, phi.facts.quantization, phi.facts.quantizationLabel], ["MLX", "phi3", "INT4", "mlx-4bit-g64"]);
  assert.equal(phi.facts.quantizationDetail, "MLX affine, 4-bit, group size 64");
  assert.deepEqual([phi.facts.parameterCount, phi.facts.contextLength, phi.facts.vocabSize], [PHI3_PARAMS, PHI3.context, PHI3.vocab]);
  const int4 = await store.list({ quantizations: ["INT4"] });
  assert.deepEqual(int4.models.map((m) => m.name), ["Phi-3-mini-4k-instruct-unsloth-4bit"], "an INT4 filter finds MLX 4-bit models");
  const affine = await store.list({ quantizations: ["MLX_AFFINE"] });
  assert.deepEqual(affine.models.map((m) => m.name), ["Phi-3-mini-4k-instruct-unsloth-4bit"], "MLX_AFFINE still finds affine MLX models");
});

test("a folder with config.json only is listed as PyTorch and says it has no weights yet", async (t) => {
  const r = storeRoots(t);
  fs.mkdirSync(path.join(r.mlxModels, "phi-3-pending"), { recursive: true });
  fs.writeFileSync(path.join(r.mlxModels, "phi-3-pending", "config.json"), JSON.stringify({ model_type: "phi3", torch_dtype: "bfloat16", max_position_embeddings: 4096 }));
  const { models } = await newStore(r).list();
  const m = byName(models, "phi-3-pending");
  assert.deepEqual([m.facts.format, m.facts.parameterCount, m.estimatedMemoryBytes, m.facts.brokenReason], ["PYTORCH", 0, 0, undefined]);
  assert.match(m.facts.notes?.join("\n") ?? "", /config\.json only: no weights yet/);
});

test("every seed repo in the HF cache is one model; deleting the FLUX pipeline leaves no skeleton", async (t) => {
  const r = storeRoots(t);
  const repos = seedRepos();
  makeHfCache(r.hfHubCache, Object.entries(repos).map(([repo, files]) => ({ repo, revisions: [{ commit: commitOf(repo), refs: ["main"], files }] })));
  const store = newStore(r);
  const { models } = await store.list();
  assert.deepEqual(models.map((m) => m.name).sort(), Object.keys(repos).sort());
  for (const m of models) assert.equal(m.facts.brokenReason, undefined, `${m.name}: ${m.facts.brokenReason}`);
  assert.deepEqual(byName(models, "mzbac/flux1.schnell.8bit.mlx").facts.mlx, { bits: 8, groupSize: 64, mode: "affine" });
  assert.equal(byName(models, "facebook/musicgen-small").facts.contextLength, MUSICGEN.decoderContext);
  const flux = byName(models, "black-forest-labs/FLUX.1-schnell");
  assert.equal(flux.facts.components?.length, 7);
  await store.delete(flux.id, { includeHfCache: true });
  const after = await store.list();
  assert.ok(!after.models.some((m) => m.name.startsWith("black-forest-labs/FLUX.1-schnell")), "nothing of the pipeline is left listed");
  assert.ok(!fs.existsSync(path.join(r.hfHubCache, "models--black-forest-labs--FLUX.1-schnell", "snapshots", commitOf("black-forest-labs/FLUX.1-schnell"))), "the snapshot is gone");
  assert.equal(after.models.length, Object.keys(repos).length - 1);
});

test("non-LLM checkpoints asked to become GGUF fail with CONV_UNSUPPORTED_ARCH naming the architecture; pickles only → CONV_NEEDS_SAFETENSORS", async (t) => {
  const r = storeRoots(t);
  const flux = path.join(r.models, "FLUX.1-schnell");
  const swift = path.join(r.mlxModels, "flux1.schnell.4bit.mlx");
  const musicgen = path.join(r.models, "musicgen-small");
  const pickles = path.join(r.models, "pickles-only");
  writeRepo(flux, fluxDiffusersRepo("schnell"));
  writeRepo(swift, fluxSwiftRepo(4));
  writeRepo(musicgen, musicgenRepo());
  writeRepo(pickles, { "config.json": Buffer.from(JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama" })), "pytorch_model.bin": Buffer.alloc(100) });
  const rejects = async (dir: string, code: string, re: RegExp) => {
    await assert.rejects(convertHfToGguf({ sourceDir: dir, outPath: path.join(r.quantizedModels, "x.gguf") }), (e: Error & { code?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    });
  };
  await rejects(flux, "CONV_UNSUPPORTED_ARCH", /FluxPipeline is a multi-component image\/audio pipeline, not a language model/);
  await rejects(swift, "CONV_UNSUPPORTED_ARCH", /diffusion pipeline \(flux\.swift layout\)/);
  await rejects(musicgen, "CONV_UNSUPPORTED_ARCH", /architecture "MusicgenForConditionalGeneration" is not supported; supported: .*LlamaForCausalLM/);
  await rejects(pickles, "CONV_NEEDS_SAFETENSORS", /only PyTorch pickles \(pytorch_model\.bin\); conversion reads safetensors/);
  assert.deepEqual(fs.readdirSync(r.quantizedModels), [], "nothing written");
});

test("weights.npz MLX folders report parameters and dtype from the zip directory and .npy headers (stored and deflated)", async (t) => {
  const r = storeRoots(t);
  const arrays = [
    { name: "encoder.layers.0.conv.weight", descr: "<f4", shape: [32, 7, 1], itemSize: 4 },
    { name: "quantizer.layers.0.codebook.embed", descr: "<f4", shape: [2048, 16], itemSize: 4 },
    { name: "decoder.layers.0.conv.bias", descr: "<f4", shape: [16], itemSize: 4 },
  ];
  const params = 32 * 7 + 2048 * 16 + 16;
  for (const [name, compressed] of [["encodec-npz", false], ["encodec-npz-deflated", true]] as const) {
    writeRepo(path.join(r.mlxModels, name), { "config.json": Buffer.from(JSON.stringify({ model_type: "encodec" })), "weights.npz": npzBytes(arrays, compressed) });
  }
  fs.mkdirSync(path.join(r.mlxModels, "bad-npz"));
  fs.writeFileSync(path.join(r.mlxModels, "bad-npz", "weights.npz"), Buffer.alloc(100));
  const { models } = await newStore(r).list();
  for (const name of ["encodec-npz", "encodec-npz-deflated"]) {
    const m = byName(models, name);
    assert.deepEqual([m.facts.format, m.facts.quantization, m.facts.parameterCount, m.facts.weightsBytes, m.facts.architecture], ["MLX", "FP32", params, params * 4, "encodec"], name);
  }
  assert.match(byName(models, "bad-npz").facts.brokenReason ?? "", /weights\.npz: not a readable \.npz: no zip end-of-central-directory record/);
});

test("first use of what the pool cannot run says why: PyTorch-only and config-only → CONV_NEEDS_SAFETENSORS (FAILED_PRECONDITION), a pipeline → CONV_UNSUPPORTED_ARCH", async (t) => {
  const r = storeRoots(t);
  writeRepo(path.join(r.models, "pt-only"), { "config.json": Buffer.from(JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama", torch_dtype: "float16" })), "pytorch_model.bin": Buffer.alloc(4000) });
  writeRepo(path.join(r.models, "pending"), { "config.json": Buffer.from(JSON.stringify({ architectures: ["LlamaForCausalLM"], model_type: "llama" })) });
  writeRepo(path.join(r.models, "FLUX.1-dev"), fluxDiffusersRepo("dev"));
  const { models } = await newStore(r).list();
  const check = (name: string, code: string, re: RegExp) =>
    assert.throws(() => runnablePath(byName(models, name), name), (e: Error & { code?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    });
  check("pt-only", "CONV_NEEDS_SAFETENSORS", /has only PyTorch pickles: safetensors weights are needed/);
  check("pending", "CONV_NEEDS_SAFETENSORS", /has no weights yet \(config\.json only\)/);
  check("FLUX.1-dev", "CONV_UNSUPPORTED_ARCH", /is a FluxPipeline model \(scheduler, text_encoder.*\), not a language model/);
  assert.equal(ERROR_CODES.CONV_NEEDS_SAFETENSORS.status, "FAILED_PRECONDITION");
});

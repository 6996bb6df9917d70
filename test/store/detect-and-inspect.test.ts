import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { ModelRecord } from "../../src/store/model-types.js";
import { commitOf, makeHfCache, sha256Hex as sha256Of } from "../fixtures/make-hf-cache.js";
import { npzBytes } from "../fixtures/make-seed-models.js";
import { GGUF_PARAMS, LLAMA3_8B, paramCount, llamaConfig, makeHfFolder, makeLoraAdapter, makeMlxFolder, makePackedFolder, makeSplitGguf, makeTinyGguf, TINY, writeSparseSafetensors, llamaDecls } from "../fixtures/make-model-zoo.js";
import { newStore, storeRoots } from "./helpers.js";

const byName = (models: readonly ModelRecord[], name: string): ModelRecord => {
  const m = models.find((x) => x.name === name);
  assert.ok(m, `model ${name} not listed; have ${models.map((x) => x.name).join(", ")}`);
  return m;
};

test("an 8B Llama checkpoint (sharded, index.json) counts 8.03 B parameters from headers alone", async (t) => {
  const r = storeRoots(t);
  const { params, dataBytes } = makeHfFolder(path.join(r.models, "llama-3-8b"), LLAMA3_8B, { shards: 4 });
  assert.equal(params, 8_030_261_248);
  const { models } = await newStore(r).list();
  const m = byName(models, "llama-3-8b");
  assert.equal(m.facts.format, "SAFETENSORS");
  assert.equal(m.facts.quantization, "BF16");
  assert.equal(m.facts.parameterCount, 8_030_261_248);
  assert.equal(m.facts.architecture, "llama");
  assert.equal(m.facts.contextLength, 8192);
  assert.equal(m.facts.vocabSize, 128256);
  assert.equal(m.facts.weightsBytes, dataBytes);
  // Served as its F16 GGUF (the 65 norms of 4096 kept at F32: 2 more bytes each) + f16 KV cache for the pool's
  // default 4 sequences of 4096 tokens (32 layers × 8 KV heads × 128), each + 10%.
  assert.equal(m.facts.servedWeightsBytes, dataBytes + 2 * 65 * 4096);
  assert.equal(m.estimatedMemoryBytes, Math.round((dataBytes + 2 * 65 * 4096) * 1.1) + Math.round(2 * 2 * 32 * 8 * 128 * 4096 * 4 * 1.1));
  assert.equal(m.root, "cortex");
  assert.ok(m.sizeBytes > dataBytes, "size on disk includes headers, config, tokenizer");
});

test("formats by file-system evidence: MLX, GPTQ, AWQ (config or tensor names), bitsandbytes, compressed-tensors, PyTorch, weights.npz", async (t) => {
  const r = storeRoots(t);
  const mlx = makeMlxFolder(path.join(r.mlxModels, "tiny-mlx-4bit"), TINY, 4, 32);
  const gptq = makePackedFolder(path.join(r.models, "tiny-gptq"), "gptq");
  const awq = makePackedFolder(path.join(r.models, "tiny-awq"), "awq");
  makePackedFolder(path.join(r.models, "tiny-gptq-noconfig"), "gptq", TINY, false);
  makeHfFolder(path.join(r.models, "tiny-bnb"), TINY, { config: { quantization_config: { quant_method: "bitsandbytes", load_in_4bit: true, bnb_4bit_quant_type: "nf4" } } });
  makeHfFolder(path.join(r.models, "tiny-ct"), TINY, { config: { quantization_config: { quant_method: "compressed-tensors", format: "pack-quantized", config_groups: { group_0: { weights: { num_bits: 4, type: "int" } } } } } });
  fs.mkdirSync(path.join(r.models, "tiny-pt"));
  fs.writeFileSync(path.join(r.models, "tiny-pt", "config.json"), JSON.stringify(llamaConfig(TINY)));
  fs.writeFileSync(path.join(r.models, "tiny-pt", "pytorch_model.bin"), Buffer.alloc(2000));
  fs.mkdirSync(path.join(r.mlxModels, "old-npz"));
  fs.writeFileSync(path.join(r.mlxModels, "old-npz", "weights.npz"), npzBytes(llamaDecls(TINY, "F16").map((t) => ({ name: t.name, descr: "<f2", shape: t.shape, itemSize: 2 }))));
  fs.writeFileSync(path.join(r.mlxModels, "old-npz", "config.json"), JSON.stringify(llamaConfig(TINY)));

  const { models } = await newStore(r).list();
  const m = byName(models, "tiny-mlx-4bit");
  assert.deepEqual([m.facts.format, m.facts.quantization, m.facts.quantizationLabel], ["MLX", "INT4", "mlx-4bit-g32"]);
  assert.deepEqual(m.facts.mlx, { bits: 4, groupSize: 32, mode: "affine" });
  assert.equal(m.facts.parameterCount, mlx.params, "packed U32 weights unpacked, scales/biases not counted");
  const g = byName(models, "tiny-gptq");
  assert.deepEqual([g.facts.format, g.facts.quantization, g.facts.quantizationLabel], ["GPTQ", "GPTQ", "gptq-4bit-g32"]);
  assert.equal(g.facts.parameterCount, gptq.params);
  const a = byName(models, "tiny-awq");
  assert.deepEqual([a.facts.format, a.facts.quantization, a.facts.quantizationLabel], ["AWQ", "AWQ", "awq-4bit-g32"]);
  assert.equal(a.facts.parameterCount, awq.params);
  assert.deepEqual([byName(models, "tiny-gptq-noconfig").facts.format, byName(models, "tiny-gptq-noconfig").facts.quantization], ["GPTQ", "GPTQ"], "qweight + g_idx names alone");
  const b = byName(models, "tiny-bnb");
  assert.deepEqual([b.facts.format, b.facts.quantization, b.facts.quantizationLabel], ["BITSANDBYTES", "INT4", "bnb-nf4"]);
  const c = byName(models, "tiny-ct");
  assert.deepEqual([c.facts.format, c.facts.quantization], ["COMPRESSED_TENSORS", "INT4"]);
  const p = byName(models, "tiny-pt");
  assert.deepEqual([p.facts.format, p.facts.quantization], ["PYTORCH", "BF16"]);
  assert.equal(p.facts.parameterCount, 1000, "pickles are not opened: file bytes / 2");
  assert.equal(byName(models, "old-npz").facts.format, "MLX");
  assert.deepEqual([byName(models, "old-npz").facts.quantization, byName(models, "old-npz").facts.parameterCount], ["FP16", paramCount(llamaDecls(TINY))], "weights.npz: dtype and parameters from the .npy headers");
  assert.ok(models.every((x) => !x.facts.brokenReason), models.map((x) => x.facts.brokenReason).join(";"));
});

test("GGUF: file type, architecture, context, vocabulary; split parts listed once; a missing part is BROKEN", async (t) => {
  const r = storeRoots(t);
  await makeTinyGguf(path.join(r.quantizedModels, "tiny-Q4_K_M.gguf"), 15);
  await makeTinyGguf(path.join(r.quantizedModels, "sub", "tiny-F16.gguf"), 1);
  await makeTinyGguf(path.join(r.quantizedModels, "tiny-IQ2.gguf"), 19);
  const parts = await makeSplitGguf(path.join(r.models, "big"), "big-Q8_0", 3);
  const broken = await makeSplitGguf(path.join(r.models, "gap"), "gap-Q8_0", 3);
  fs.rmSync(broken[1]!);

  const { models } = await newStore(r).list();
  const q = byName(models, "tiny-Q4_K_M");
  assert.deepEqual([q.facts.format, q.facts.quantization, q.facts.quantizationLabel, q.facts.architecture], ["GGUF", "Q4_K_M", "Q4_K_M", "llama"]);
  assert.deepEqual([q.facts.parameterCount, q.facts.contextLength, q.facts.vocabSize], [GGUF_PARAMS, 8192, 64]);
  assert.equal(q.facts.kv?.headDim, 64);
  assert.deepEqual([byName(models, "sub/tiny-F16").facts.quantization, byName(models, "tiny-IQ2").facts.quantization, byName(models, "tiny-IQ2").facts.quantizationLabel], ["FP16", "GGUF_OTHER", "IQ2_XXS"]);
  const split = byName(models, "big/big-Q8_0");
  assert.deepEqual(split.paths, parts);
  assert.equal(split.facts.parameterCount, 3 * 64 * 32);
  assert.equal(split.facts.quantization, "Q8_0");
  assert.equal(models.filter((m) => m.name.startsWith("big/")).length, 1);
  const gap = byName(models, "gap/gap-Q8_0");
  assert.match(gap.facts.brokenReason ?? "", /split GGUF is missing part\(s\) gap-Q8_0-00002-of-00003\.gguf/);
});

test("LoRA adapters (PEFT and mlx-lm) list their base model, rank, scale and fusion state; fine_tuned.marker marks fused models", async (t) => {
  const r = storeRoots(t);
  const peft = makeLoraAdapter(path.join(r.models, "adapters", "chat-lora"), "peft", "meta-llama/Llama-3.2-1B", 8);
  makeLoraAdapter(path.join(r.models, "adapters", "mlx-lora"), "mlx", "mlx-community/Llama-3.2-1B-4bit", 4);
  makeHfFolder(path.join(r.models, "chat-fused"));
  fs.writeFileSync(path.join(r.models, "chat-fused", "fine_tuned.marker"), JSON.stringify({ base_model: "meta-llama/Llama-3.2-1B", adapter: path.join(r.models, "adapters", "chat-lora"), rank: 8, scale: 2 }));

  const { models } = await newStore(r).list();
  const a = byName(models, "adapters/chat-lora");
  assert.equal(a.facts.format, "LORA_ADAPTER");
  assert.deepEqual(a.facts.lora, { baseModel: "meta-llama/Llama-3.2-1B", fused: true, rank: 8, scale: 2, targetModules: ["q_proj", "v_proj"] });
  assert.equal(a.facts.parameterCount, peft.params);
  const m = byName(models, "adapters/mlx-lora");
  assert.deepEqual(m.facts.lora, { baseModel: "mlx-community/Llama-3.2-1B-4bit", fused: false, rank: 4, scale: 20, targetModules: ["self_attn.q_proj", "self_attn.v_proj"] });
  const f = byName(models, "chat-fused");
  assert.equal(f.facts.format, "SAFETENSORS");
  assert.equal(f.facts.lora?.fused, true);
  assert.equal(f.facts.lora?.baseModel, "meta-llama/Llama-3.2-1B");
});

test("HF cache snapshots are models with repo and revision; shared blobs are counted once", async (t) => {
  const r = storeRoots(t);
  const src = path.join(r.extra, "src");
  makeHfFolder(src);
  const files = Object.fromEntries(fs.readdirSync(src).map((n) => [n, fs.readFileSync(path.join(src, n))]));
  fs.rmSync(src, { recursive: true });
  const A = commitOf("a");
  const B = commitOf("b");
  makeHfCache(r.hfHubCache, [
    { repo: "org/tiny", revisions: [{ commit: A, refs: ["main"], files }, { commit: B, files: { ...files, "README.md": "# v2" } }] },
    { repo: "org/tiny-GGUF", revisions: [{ commit: A, refs: ["main"], files: { "README.md": "# gguf" } }] },
  ]);
  await makeTinyGguf(path.join(r.extra, "q.gguf"));
  const ggufBytes = fs.readFileSync(path.join(r.extra, "q.gguf"));
  fs.rmSync(path.join(r.extra, "q.gguf"));
  makeHfCache(r.hfHubCache, [{ repo: "org/tiny-GGUF", revisions: [{ commit: B, refs: ["v2"], files: { "tiny-Q4_K_M.gguf": ggufBytes, "sub/tiny-Q8_0.gguf": ggufBytes } }] }]);

  const { models } = await newStore(r).list();
  const tiny = models.filter((m) => m.name === "org/tiny");
  assert.equal(tiny.length, 2, "two revisions, two models");
  const main = tiny.find((m) => m.sourceRevision === A)!;
  const v2 = tiny.find((m) => m.sourceRevision === B)!;
  assert.equal(main.root, "hf-cache");
  assert.equal(main.sourceRepo, "org/tiny");
  assert.deepEqual(main.hf?.refs, ["main"]);
  assert.deepEqual(v2.hf?.refs, []);
  assert.equal(v2.sizeBytes, main.sizeBytes + 4, "same blobs + README");
  const q4 = byName(models, "org/tiny-GGUF/tiny-Q4_K_M");
  const q8 = byName(models, "org/tiny-GGUF/sub/tiny-Q8_0");
  assert.equal(q4.facts.quantization, "Q4_K_M");
  assert.equal(q4.sizeBytes, ggufBytes.length);
  assert.equal(q4.files[0]!.key, q8.files[0]!.key, "two names, one blob");
  assert.equal(models.filter((m) => m.name.startsWith("org/tiny-GGUF")).length, 2, "a snapshot with only a README is not a model");
});

test("links out of the roots are not followed; transient files are ignored", async (t) => {
  const r = storeRoots(t);
  const outside = path.join(path.dirname(r.home), "outside");
  makeHfFolder(outside);
  fs.symlinkSync(outside, path.join(r.models, "linked-out"));
  makeHfFolder(path.join(r.extra, "inside"));
  fs.symlinkSync(path.join(r.extra, "inside"), path.join(r.models, "linked-in"));
  await makeTinyGguf(path.join(r.models, "partial.gguf.tmp-123"));
  const store = newStore(r);
  const { models, warnings } = await store.list();
  assert.equal(models.some((m) => m.name === "linked-out"), false);
  assert.ok(warnings.some((w) => w.includes("linked-out") && w.includes("outside")));
  assert.ok(models.some((m) => m.name === "linked-in"));
  assert.equal(models.some((m) => m.name.includes("partial")), false);
});

test("an unreadable config.json or a header beyond the file size makes the model BROKEN, and the listing goes on", async (t) => {
  const r = storeRoots(t);
  makeHfFolder(path.join(r.models, "good"));
  fs.mkdirSync(path.join(r.models, "badcfg"));
  writeSparseSafetensors(path.join(r.models, "badcfg", "model.safetensors"), llamaDecls(TINY));
  fs.writeFileSync(path.join(r.models, "badcfg", "config.json"), "{nope");
  const { models } = await newStore(r).list();
  assert.equal(byName(models, "good").facts.brokenReason, undefined);
  assert.match(byName(models, "badcfg").facts.brokenReason ?? "", /badcfg\/config\.json: not valid JSON/);
  assert.equal(byName(models, "badcfg").facts.format, "SAFETENSORS");
});

test("a GGUF LoRA adapter lists its alpha and rank; a config.json over 16 MiB is refused without being read", async (t) => {
  const r = storeRoots(t);
  const { makeGguf } = await import("../fixtures/make-gguf.js");
  const { GGUF_VALUE_TYPE: T } = await import("../../src/formats/gguf/gguf-values.js");
  await makeGguf(path.join(r.models, "lora.gguf"), {
    kvs: [["general.architecture", T.STRING, "llama"], ["general.type", T.STRING, "adapter"], ["adapter.type", T.STRING, "lora"], ["adapter.lora.alpha", T.FLOAT32, 32], ["general.base_model.0.name", T.STRING, "Llama 3.2 1B"]],
    tensors: [{ name: "blk.0.attn_q.weight.lora_a", dims: [64, 16] }, { name: "blk.0.attn_q.weight.lora_b", dims: [16, 64] }],
  });
  fs.mkdirSync(path.join(r.models, "hugecfg"));
  writeSparseSafetensors(path.join(r.models, "hugecfg", "model.safetensors"), llamaDecls(TINY));
  fs.writeFileSync(path.join(r.models, "hugecfg", "config.json"), "{");
  fs.truncateSync(path.join(r.models, "hugecfg", "config.json"), 17 << 20);
  const { models } = await newStore(r).list();
  const l = byName(models, "lora");
  assert.deepEqual(l.facts.lora, { baseModel: "Llama 3.2 1B", fused: false, rank: 16, scale: 2, targetModules: ["attn_q"] });
  assert.match(byName(models, "hugecfg").facts.brokenReason ?? "", /hugecfg\/config\.json: 17825792 bytes, larger than the 16777216-byte limit/);
});

test("deleting one GGUF out of an HF snapshot that holds several keeps the others and their shared blobs", async (t) => {
  const r = storeRoots(t);
  await makeTinyGguf(path.join(r.extra, "q.gguf"), 15);
  await makeTinyGguf(path.join(r.extra, "q8.gguf"), 7);
  const q4 = fs.readFileSync(path.join(r.extra, "q.gguf"));
  const q8 = fs.readFileSync(path.join(r.extra, "q8.gguf"));
  fs.rmSync(path.join(r.extra, "q.gguf"));
  fs.rmSync(path.join(r.extra, "q8.gguf"));
  const A = commitOf("a");
  const { blobOf } = makeHfCache(r.hfHubCache, [{ repo: "org/g", revisions: [{ commit: A, refs: ["main"], files: { "m-Q4_K_M.gguf": q4, "m-Q8_0.gguf": q8, "copy/m-Q4_K_M.gguf": q4 } }] }]);
  const store = newStore(r);
  const res = await store.delete("org/g/m-Q4_K_M", { includeHfCache: true });
  assert.equal(res.bytesFreed, 0, "the blob is still linked from copy/");
  assert.ok(res.keptPaths.some((k) => k.includes(sha256Of(q4))));
  const snap = path.join(r.hfHubCache, "models--org--g", "snapshots", A);
  assert.equal(fs.existsSync(path.join(snap, "m-Q4_K_M.gguf")), false);
  assert.ok(fs.existsSync(path.join(snap, "copy", "m-Q4_K_M.gguf")));
  const q8res = await store.delete("org/g/m-Q8_0", { includeHfCache: true });
  assert.equal(q8res.bytesFreed, q8.length);
  assert.equal(fs.existsSync(blobOf("org/g", q8)), false);
  assert.deepEqual((await store.list()).models.map((m) => m.name), ["org/g/copy/m-Q4_K_M"]);
  assert.equal(fs.readFileSync(path.join(r.hfHubCache, "models--org--g", "refs", "main"), "utf8"), A, "the revision and its ref stay");
});

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { readTensorBytes, tensorBytesToFloat32 } from "../../src/formats/safetensors/read-tensor-data.js";
import { writeSafetensors } from "../../src/formats/safetensors/safetensors-writer.js";
import { affineDequantize, affineQuantize } from "../../src/mlx/affine-quantize.js";
import { convertToMlx, mlxOutputName, type ConvertToMlxOptions } from "../../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../helpers/temp-dir.js";
import { assertCortexRejects } from "./helpers.js";

const Q4: Omit<ConvertToMlxOptions, "pool"> = { quantize: true, bits: 4, groupSize: 64, recipe: "" };

function withPool(t: { after: (fn: () => Promise<void>) => void }): QuantizePool {
  const pool = QuantizePool.create({ threads: 2 });
  t.after(() => pool.close());
  return pool;
}

async function tensorF32(file: string, name: string): Promise<Float32Array> {
  const h = await readSafetensorsHeader(file);
  const info = h.byName.get(name)!;
  return tensorBytesToFloat32(await readTensorBytes(file, info), info.dtype);
}

async function tensorU32(file: string, name: string): Promise<Uint32Array> {
  const h = await readSafetensorsHeader(file);
  const b = await readTensorBytes(file, h.byName.get(name)!);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

test("4-bit conversion of a tiny llama: names, shapes, dtypes, config, index as mlx-lm writes them; codes bit-exact", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 2, hiddenSize: 256, intermediateSize: 512, vocabSize: 300, dtype: "bf16" });
  const r = await convertToMlx(fx.dir, (rc) => path.join(dir, "out", mlxOutputName("tiny", rc)), { ...Q4, pool: withPool(t) });
  assert.equal(r.status, "converted");
  assert.equal(r.path, path.join(dir, "out", "tiny-4bit"));
  assert.deepEqual(fs.readdirSync(path.join(dir, "out")), ["tiny-4bit"], "no temporary folder left");
  const out = r.path;
  const st = path.join(out, "model.safetensors");
  const h = await readSafetensorsHeader(st);
  assert.deepEqual(h.metadata, { format: "mlx" });

  const expected: Record<string, [string, number[]]> = {};
  const q = (p: string, out: number, inDim: number) => {
    expected[`${p}.weight`] = ["U32", [out, (inDim * 4) / 32]];
    expected[`${p}.scales`] = ["BF16", [out, inDim / 64]];
    expected[`${p}.biases`] = ["BF16", [out, inDim / 64]];
  };
  q("model.embed_tokens", 300, 256);
  for (let i = 0; i < 2; i++) {
    const p = `model.layers.${i}`;
    q(`${p}.self_attn.q_proj`, 256, 256);
    q(`${p}.self_attn.k_proj`, 128, 256);
    q(`${p}.self_attn.v_proj`, 128, 256);
    q(`${p}.self_attn.o_proj`, 256, 256);
    q(`${p}.mlp.gate_proj`, 512, 256);
    q(`${p}.mlp.up_proj`, 512, 256);
    q(`${p}.mlp.down_proj`, 256, 512);
    expected[`${p}.input_layernorm.weight`] = ["BF16", [256]];
    expected[`${p}.post_attention_layernorm.weight`] = ["BF16", [256]];
  }
  expected["model.norm.weight"] = ["BF16", [256]];
  q("lm_head", 300, 256);
  const got = Object.fromEntries(h.tensors.map((x) => [x.name, [x.dtype, [...x.shape]]]));
  assert.deepEqual(got, expected);

  const config = JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(config["quantization"], { group_size: 64, bits: 4, mode: "affine" });
  assert.deepEqual(config["quantization_config"], config["quantization"]);
  assert.deepEqual(Object.keys(config), Object.keys(config).sort(), "top-level keys sorted");
  assert.equal(config["model_type"], "llama");
  assert.deepEqual(config["eos_token_id"], [fx.eosTokenId, 297], "eos_token_id from generation_config.json");

  const index = JSON.parse(fs.readFileSync(path.join(out, "model.safetensors.index.json"), "utf8")) as { metadata: Record<string, number>; weight_map: Record<string, string> };
  assert.deepEqual(Object.keys(index.weight_map), Object.keys(expected).sort());
  assert.ok(Object.values(index.weight_map).every((f) => f === "model.safetensors"));
  assert.equal(index.metadata["total_size"], h.tensors.reduce((s, x) => s + x.byteSize, 0));
  assert.equal(index.metadata["total_parameters"], fx.tensors.reduce((s, x) => s + x.shape.reduce((a, b) => a * b, 1), 0));
  for (const f of ["tokenizer.json", "tokenizer_config.json", "generation_config.json"]) assert.ok(fs.existsSync(path.join(out, f)), f);
  for (const [f, sha] of Object.entries(r.sha256)) assert.equal(crypto.createHash("sha256").update(fs.readFileSync(path.join(out, f))).digest("hex"), sha, `sha256 of ${f}`);

  // The stored codes are exactly the reference quantizer's, and dequantize within |scale| (MLX's invariant once
  // scales are rounded to bf16; the |scale|/2 bound in f32 is affine-quantize.test.ts's).
  const name = "model.layers.1.mlp.down_proj";
  const w = fx.expectedFloat32(`${name}.weight`);
  const ref = affineQuantize(w, 256, 512, { bits: 4, groupSize: 64, dtype: "bfloat16" });
  assert.deepEqual(await tensorU32(st, `${name}.weight`), ref.weight);
  assert.deepEqual(await tensorF32(st, `${name}.scales`), ref.scales);
  assert.deepEqual(await tensorF32(st, `${name}.biases`), ref.biases);
  const deq = affineDequantize(ref);
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(deq[i]! - w[i]!) <= Math.abs(ref.scales[Math.floor(i / 64)]!), `element ${i}`);
});

test("mixed_3_6 recipe: per-layer config entries and 6-bit shapes for v_proj/down_proj/lm_head", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 2 });
  const r = await convertToMlx(fx.dir, (rc) => path.join(dir, mlxOutputName("m", rc)), { ...Q4, recipe: "mixed_3_6", pool: withPool(t) });
  assert.equal(r.path, path.join(dir, "m-mixed_3_6"));
  const config = JSON.parse(fs.readFileSync(path.join(r.path, "config.json"), "utf8")) as { quantization: Record<string, { bits: number }> };
  assert.equal(config.quantization["lm_head"]!.bits, 6);
  assert.equal(config.quantization["model.layers.0.self_attn.v_proj"]!.bits, 3, "L = 2: use_more_bits(0) is false");
  assert.equal(config.quantization["model.layers.1.self_attn.v_proj"]!.bits, 6, "use_more_bits(1): i ≥ 7·L/8");
  assert.equal(config.quantization["model.layers.1.mlp.down_proj"]!.bits, 6);
  assert.equal(config.quantization["model.layers.0.self_attn.q_proj"]!.bits, 3);
  assert.equal(config.quantization["model.embed_tokens"]!.bits, 3);
  const h = await readSafetensorsHeader(path.join(r.path, "model.safetensors"));
  assert.deepEqual(h.byName.get("model.layers.0.self_attn.q_proj.weight")!.shape, [256, (256 * 3) / 32]);
  assert.deepEqual(h.byName.get("lm_head.weight")!.shape, [300, (256 * 6) / 32]);
});

test("--dtype float16 from a bf16 checkpoint: scales, biases and norms are F16; float conversion has no quantization key", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 1 });
  const pool = withPool(t);
  const r = await convertToMlx(fx.dir, () => path.join(dir, "q"), { ...Q4, dtype: "float16", pool });
  const h = await readSafetensorsHeader(path.join(r.path, "model.safetensors"));
  assert.equal(h.byName.get("lm_head.scales")!.dtype, "F16");
  assert.equal(h.byName.get("model.norm.weight")!.dtype, "F16");
  const f = await convertToMlx(fx.dir, (rc) => path.join(dir, mlxOutputName("f", rc)), { quantize: false, bits: 4, groupSize: 64, recipe: "", dtype: "float32", pool });
  assert.equal(f.path, path.join(dir, "f"));
  const hf = await readSafetensorsHeader(path.join(f.path, "model.safetensors"));
  assert.ok(hf.tensors.every((x) => x.dtype === "F32"));
  assert.deepEqual(await tensorF32(path.join(f.path, "model.safetensors"), "model.layers.0.mlp.up_proj.weight"), fx.expectedFloat32("model.layers.0.mlp.up_proj.weight"));
  assert.ok(!("quantization" in JSON.parse(fs.readFileSync(path.join(f.path, "config.json"), "utf8"))));
});

test("already-MLX: a converted model is not converted again; an MLX float model may be quantized, a quantized one not", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 1 });
  const pool = withPool(t);
  const float = await convertToMlx(fx.dir, () => path.join(dir, "float"), { quantize: false, bits: 4, groupSize: 64, recipe: "", pool });
  const again = await convertToMlx(float.path, () => path.join(dir, "never"), { quantize: false, bits: 4, groupSize: 64, recipe: "", pool });
  assert.equal(again.status, "already-mlx");
  assert.ok(!fs.existsSync(path.join(dir, "never")));
  const q = await convertToMlx(float.path, () => path.join(dir, "q8"), { ...Q4, bits: 8, pool });
  assert.equal(q.status, "converted");
  // Same codes as quantizing the HF checkpoint directly.
  const direct = await convertToMlx(fx.dir, () => path.join(dir, "q8direct"), { ...Q4, bits: 8, pool });
  assert.equal(fs.readFileSync(path.join(q.path, "model.safetensors")).equals(fs.readFileSync(path.join(direct.path, "model.safetensors"))), true);
  await assertCortexRejects(convertToMlx(q.path, () => path.join(dir, "qq"), { ...Q4, pool }), "FMT_UNSUPPORTED", "already MLX-quantized", "8-bit");
  await assertCortexRejects(convertToMlx(fx.dir, () => path.join(dir, "q8"), { ...Q4, pool }), "REG_EXISTS", "q8");
});

test("layers whose input dimension does not divide by the group size stay float", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 1, hiddenSize: 96, numHeads: 3, numKvHeads: 1, intermediateSize: 128 });
  const r = await convertToMlx(fx.dir, () => path.join(dir, "o"), { ...Q4, pool: withPool(t) });
  const h = await readSafetensorsHeader(path.join(r.path, "model.safetensors"));
  assert.equal(h.byName.get("model.layers.0.self_attn.q_proj.weight")!.dtype, "BF16", "in = 96: not divisible by 64");
  assert.ok(!h.byName.has("model.layers.0.self_attn.q_proj.scales"));
  assert.equal(h.byName.get("model.layers.0.mlp.down_proj.weight")!.dtype, "U32", "in = 128 divides");
});

test("shards of at most maxShardBytes with an index naming each tensor's shard", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 2, shards: 2 });
  const r = await convertToMlx(fx.dir, () => path.join(dir, "o"), { ...Q4, pool: withPool(t), maxShardBytes: 200_000 });
  if (r.status !== "converted") throw new Error("not converted");
  const shards = r.files.filter((f) => f.endsWith(".safetensors"));
  assert.ok(shards.length > 1, `${shards.length} shards`);
  const index = JSON.parse(fs.readFileSync(path.join(r.path, "model.safetensors.index.json"), "utf8")) as { weight_map: Record<string, string> };
  for (const s of shards) {
    const h = await readSafetensorsHeader(path.join(r.path, s));
    assert.match(s, /^model-0000\d-of-0000\d\.safetensors$/);
    assert.ok(h.tensors.reduce((a, x) => a + x.byteSize, 0) <= 200_000);
    for (const x of h.tensors) assert.equal(index.weight_map[x.name], s);
  }
});

test("bad input: corrupt shard, unsupported dtype, unknown architecture, no tokenizer → clear errors, no output", async (t) => {
  const dir = tempDir(t);
  const pool = withPool(t);
  const out = path.join(dir, "out");
  const fx = await makeHfCheckpoint(path.join(dir, "corrupt"), { numLayers: 1 });
  const st = path.join(fx.dir, "model.safetensors");
  fs.truncateSync(st, fs.statSync(st).size - 10);
  await assertCortexRejects(convertToMlx(fx.dir, () => out, { ...Q4, pool }), "FMT_INVALID", "model.safetensors");

  const f64 = await makeHfCheckpoint(path.join(dir, "f64"), { numLayers: 1 });
  await writeSafetensors(path.join(f64.dir, "model.safetensors"), [{ name: "model.norm.weight", dtype: "F64", shape: [2], data: new Float64Array(2) }]);
  await assertCortexRejects(convertToMlx(f64.dir, () => out, { ...Q4, pool }), "FMT_UNSUPPORTED", "model.norm.weight", "F64");

  const arch = await makeHfCheckpoint(path.join(dir, "arch"), { numLayers: 1 });
  const cfg = JSON.parse(fs.readFileSync(path.join(arch.dir, "config.json"), "utf8")) as Record<string, unknown>;
  fs.writeFileSync(path.join(arch.dir, "config.json"), JSON.stringify({ ...cfg, model_type: "mamba" }));
  await assertCortexRejects(convertToMlx(arch.dir, () => out, { ...Q4, pool }), "CONV_UNSUPPORTED_ARCH", "mamba");

  const notok = await makeHfCheckpoint(path.join(dir, "notok"), { numLayers: 1 });
  fs.rmSync(path.join(notok.dir, "tokenizer.json"));
  await assertCortexRejects(convertToMlx(notok.dir, () => out, { ...Q4, pool }), "CONV_MISSING_TOKENIZER", "tokenizer");

  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(".")), [], "no temporary folders");
});

test("cancel mid-conversion: JOB_CANCELLED and nothing left behind", async (t) => {
  const dir = tempDir(t);
  const fx = await makeHfCheckpoint(path.join(dir, "src"), { numLayers: 4, hiddenSize: 512, intermediateSize: 1024 });
  const ac = new AbortController();
  const p = convertToMlx(fx.dir, () => path.join(dir, "o"), { ...Q4, pool: withPool(t), signal: ac.signal, onProgress: (x) => x.doneBytes > 0 && ac.abort(new Error("test cancel")) });
  await assertCortexRejects(p, "JOB_CANCELLED");
  assert.deepEqual(fs.readdirSync(dir), ["src"]);
});

/**
 * MLX → GGUF (issue #17): MLX models made by cortexd's own MLX converter from a random HF checkpoint become GGUF
 * files whose Q4_1/Q5_1 blocks carry the MLX groups' scales, biases and codes, which ggml's own dequantization
 * turns into exactly fp32(scale)·q + fp32(bias); llama.cpp loads and runs them; unrepresentable scales fall
 * back and are reported; bad folders fail naming the tensor and leave nothing behind.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { getLlama, LlamaCompletion } from "node-llama-cpp";
import { permuteQk } from "../../src/convert/arch-llama.js";
import { convertMlxToGguf, type ConvertMlxToGgufResult } from "../../src/convert/convert-mlx-to-gguf.js";
import { GGML_TYPE as G } from "../../src/formats/gguf/ggml-types.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { f16ToNumber, numberToBf16, numberToF16 } from "../../src/formats/half-float.js";
import { readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { readTensorBytes, tensorBytesToFloat32 } from "../../src/formats/safetensors/read-tensor-data.js";
import { convertToMlx, mlxOutputName } from "../../src/mlx/convert-to-mlx.js";
import { unpackBits } from "../../src/mlx/pack-bits.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { sweepStaleTemps } from "../../src/store/sweep-stale-temps.js";
import { makeHfCheckpoint, type HfCheckpointInfo } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../formats/helpers.js";
import { assertCortexRejects } from "../mlx/helpers.js";
import { loadGgmlKernels, type GgmlKernels } from "./helpers/ggml-kernels.js";

const tmp = tempDir("mlx-gguf");
let hf: HfCheckpointInfo;
let pool: QuantizePool;
let ggml: GgmlKernels;
before(async () => {
  hf = await makeHfCheckpoint(path.join(tmp.dir, "hf"), { numLayers: 2, hiddenSize: 256, intermediateSize: 512, vocabSize: 300, dtype: "bf16", seed: 17 });
  pool = QuantizePool.create({ threads: 2 });
  const k = loadGgmlKernels();
  if ("skip" in k) throw new Error(k.skip);
  ggml = k;
});
after(async () => {
  await pool?.close();
  tmp.cleanup();
});

async function mlxModel(name: string, o: { bits: number; groupSize: number; recipe?: string }, src = hf.dir): Promise<string> {
  const r = await convertToMlx(src, () => path.join(tmp.dir, name), { quantize: true, bits: o.bits, groupSize: o.groupSize, recipe: o.recipe ?? "", pool });
  assert.equal(r.status, "converted");
  return r.path;
}

const kernels = {
  quantizeTensor: (_n: string, data: Float32Array, dims: readonly number[], type: number) => ggml.quantize(type, data, dims[0]!),
  dequantizeTensor: (type: number, bytes: Uint8Array, n: number) => ggml.dequantize(({ [G.Q2_K]: "q2_K", [G.Q3_K]: "q3_K", [G.Q6_K]: "q6_K", [G.Q4_1]: "q4_1", [G.Q5_1]: "q5_1" } as const)[type as 10]!, bytes, n),
};

interface MlxTensor {
  weight: Uint32Array;
  scales: Float32Array;
  biases: Float32Array;
  rows: number;
  cols: number;
}

async function readMlxTensor(dir: string, module: string, bits: number): Promise<MlxTensor> {
  const file = path.join(dir, "model.safetensors");
  const h = await readSafetensorsHeader(file);
  const get = (n: string) => h.byName.get(`${module}.${n}`)!;
  const w = await readTensorBytes(file, get("weight"));
  const f = async (n: string) => tensorBytesToFloat32(await readTensorBytes(file, get(n)), get(n).dtype);
  const [rows, words] = get("weight").shape as [number, number];
  return { weight: new Uint32Array(w.buffer, w.byteOffset, w.byteLength / 4), scales: await f("scales"), biases: await f("biases"), rows, cols: (words * 32) / bits };
}

async function ggufTensorBytes(file: string, name: string): Promise<{ bytes: Uint8Array; type: number }> {
  const h = await readGgufHeader(file);
  const t = h.tensors.find((x) => x.name === name)!;
  assert.ok(t, `${name} in ${file}`);
  const fd = fs.openSync(file, "r");
  try {
    const bytes = new Uint8Array(t.byteSize);
    fs.readSync(fd, bytes, 0, t.byteSize, h.dataStart + t.offset);
    return { bytes, type: t.type };
  } finally {
    fs.closeSync(fd);
  }
}

/** GGUF tensor → MLX module, with llama's q/k row permutation (4 heads, 2 KV heads in the fixture). */
const MODULES: [string, string, ((rows: number) => Uint32Array) | undefined][] = [["token_embd.weight", "model.embed_tokens", undefined], ["output.weight", "lm_head", undefined]];
const perm = (heads: number) => (rows: number) => Uint32Array.from(permuteQk(Float32Array.from({ length: rows }, (_, i) => i), [rows, 1], heads));
for (let l = 0; l < 2; l++) {
  for (const [g, m, p] of [["attn_q", "self_attn.q_proj", perm(4)], ["attn_k", "self_attn.k_proj", perm(2)], ["attn_v", "self_attn.v_proj", undefined], ["attn_output", "self_attn.o_proj", undefined], ["ffn_gate", "mlp.gate_proj", undefined], ["ffn_up", "mlp.up_proj", undefined], ["ffn_down", "mlp.down_proj", undefined]] as const) {
    MODULES.push([`blk.${l}.${g}.weight`, `model.layers.${l}.${m}`, p]);
  }
}

/**
 * Every block of `name`: d and m are the group's scale and bias as f16 (exactly: f16→f32 gives the MLX value
 * back), the codes are the group's codes, and ggml's dequantize_row gives fp32(scale)·q + fp32(bias) bit for bit.
 */
async function assertBitExact(gguf: string, mlxDir: string, name: string, module: string, bits: 4 | 5, groupSize: number, order?: (rows: number) => Uint32Array): Promise<void> {
  const m = await readMlxTensor(mlxDir, module, bits);
  const { bytes, type } = await ggufTensorBytes(gguf, name);
  assert.equal(type, bits === 4 ? G.Q4_1 : G.Q5_1, `${name} type`);
  const blockBytes = bits === 4 ? 20 : 24;
  const rowOrder = order?.(m.rows);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groupsPerRow = m.cols / groupSize;
  const wordsPerRow = (m.cols * bits) / 32;
  const codes = new Uint8Array(m.cols);
  const expected = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    const src = rowOrder ? rowOrder[r]! : r;
    unpackBits(m.weight, bits, m.cols, codes, src * wordsPerRow);
    for (let c = 0; c < m.cols; c++) {
      const g = src * groupsPerRow + Math.floor(c / groupSize);
      expected[r * m.cols + c] = Math.fround(Math.fround(m.scales[g]! * codes[c]!) + m.biases[g]!);
    }
    for (let b = 0; b < m.cols / 32; b++) {
      const o = (r * (m.cols / 32) + b) * blockBytes;
      const g = src * groupsPerRow + Math.floor((b * 32) / groupSize);
      const d = view.getUint16(o, true);
      const mm = view.getUint16(o + 2, true);
      if (f16ToNumber(d) !== m.scales[g] || f16ToNumber(mm) !== m.biases[g]) assert.fail(`${name} row ${r} block ${b}: d/m ${f16ToNumber(d)}/${f16ToNumber(mm)} != scale/bias ${m.scales[g]}/${m.biases[g]}`);
      const qh = bits === 5 ? view.getUint32(o + 4, true) : 0;
      const qs = o + (bits === 5 ? 8 : 4);
      for (let j = 0; j < 32; j++) {
        const nib = j < 16 ? bytes[qs + j]! & 0xf : bytes[qs + j - 16]! >> 4;
        const q = nib | (((qh >>> j) & 1) << 4);
        if (q !== codes[b * 32 + j]) assert.fail(`${name} row ${r} block ${b} element ${j}: code ${q}, MLX ${codes[b * 32 + j]}`);
      }
    }
  }
  const got = ggml.dequantize(bits === 4 ? "q4_1" : "q5_1", bytes, m.rows * m.cols);
  assert.ok(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer)), `${name}: ggml's dequantization differs from fp32(scale)·q + fp32(bias)`);
}

for (const [bits, groupSize] of [[4, 32], [4, 64], [4, 128], [5, 32], [5, 64]] as const) {
  test(`${bits}-bit group ${groupSize}: every ${bits === 4 ? "Q4_1" : "Q5_1"} block is the MLX group's scale, bias and codes; ggml decodes it bit for bit`, async () => {
    const mlx = await mlxModel(`m${bits}g${groupSize}`, { bits, groupSize });
    const out = path.join(tmp.dir, `m${bits}g${groupSize}.gguf`);
    const r = await convertMlxToGguf({ sourceDir: mlx, outPath: out });
    assert.equal(r.ftypeLabel, bits === 4 ? "Q4_1" : "Q5_1");
    assert.deepEqual(r.mlx.bitExact, { exact: MODULES.length, quantized: MODULES.length });
    assert.deepEqual(r.mlx.fallbacks, []);
    assert.equal(r.mlx.mapping["ffn_down.weight"], `${bits}-bit g${groupSize} → ${bits === 4 ? "Q4_1" : "Q5_1"} (bit-exact)`);
    assert.equal(r.mlx.mapping["attn_norm.weight"], "BF16 → F32");
    for (const [name, module, order] of MODULES) await assertBitExact(out, mlx, name, module, bits, groupSize, order);
  });
}

test("llama.cpp loads a 4-bit (tied embeddings, token_embd in Q4_1) and a 5-bit GGUF and generates the same greedy text twice", async () => {
  const tiedHf = await makeHfCheckpoint(path.join(tmp.dir, "hf-tied"), { numLayers: 2, hiddenSize: 256, intermediateSize: 512, vocabSize: 300, dtype: "bf16", seed: 5, tieWordEmbeddings: true });
  const llama = await getLlama({ gpu: false, logger: () => undefined });
  try {
    for (const [bits, src] of [[4, tiedHf.dir], [5, hf.dir]] as const) {
      const mlx = await mlxModel(`load${bits}`, { bits, groupSize: 64 }, src);
      const out = path.join(tmp.dir, `load${bits}.gguf`);
      const r = await convertMlxToGguf({ sourceDir: mlx, outPath: out });
      if (bits === 4) assert.ok(!r.tensors.some((t) => t.name === "output.weight") && r.tensors.find((t) => t.name === "token_embd.weight")?.type === G.Q4_1);
      const model = await llama.loadModel({ modelPath: out, gpuLayers: 0 });
      try {
        const texts: string[] = [];
        for (let i = 0; i < 2; i++) {
          const ctx = await model.createContext({ contextSize: 128, threads: 2 });
          texts.push(await new LlamaCompletion({ contextSequence: ctx.getSequence() }).generateCompletion("the cat", { maxTokens: 8, temperature: 0 }));
          await ctx.dispose();
        }
        assert.ok(texts[0]!.length > 0);
        assert.equal(texts[0], texts[1]);
      } finally {
        await model.dispose();
      }
    }
  } finally {
    await llama.dispose();
  }
});

function setBf16(file: string, tensor: string, index: number, value: number): void {
  const text = fs.readFileSync(file);
  const n = Number(text.readBigUInt64LE(0));
  const header = JSON.parse(text.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const t = header[tensor]!;
  assert.equal(t.dtype, "BF16");
  text.writeUInt16LE(numberToBf16(value), 8 + n + t.data_offsets[0] + index * 2);
  fs.writeFileSync(file, text);
}

test("a bf16 scale outside f16's range: that tensor falls back to Q8_0 and is reported; the others stay exact", async () => {
  const mlx = await mlxModel("fallback", { bits: 4, groupSize: 64 });
  setBf16(path.join(mlx, "model.safetensors"), "model.layers.1.mlp.up_proj.scales", 3, 1.5e5);
  const r = await convertMlxToGguf({ sourceDir: mlx, outPath: path.join(tmp.dir, "fallback.gguf") });
  assert.deepEqual(r.mlx.bitExact, { exact: MODULES.length - 1, quantized: MODULES.length });
  assert.equal(r.mlx.fallbacks.length, 1);
  assert.equal(r.mlx.fallbacks[0]!.tensor, "blk.1.ffn_up.weight");
  assert.equal(r.mlx.fallbacks[0]!.type, "Q8_0");
  assert.match(r.mlx.fallbacks[0]!.reason, /model\.layers\.1\.mlp\.up_proj\.scales\[0, 3\] = 149504 \(BF16\) is not exactly representable in f16/);
  assert.equal(r.tensors.find((t) => t.name === "blk.1.ffn_up.weight")!.type, G.Q8_0);
  assert.equal(r.tensors.find((t) => t.name === "blk.0.ffn_up.weight")!.type, G.Q4_1);
  const diff = r.mlx.differences.find((d) => d.kind === "ffn_up.weight")!;
  assert.ok(diff.measured && diff.maxAbs > 0 && diff.rms > 0 && diff.rms <= diff.maxAbs);
  assert.match(r.mlx.mapping["ffn_up.weight"]!, /4-bit g64 → Q4_1 \(bit-exact\); 4-bit g64 → Q8_0 \(re-quantized\)/);
  void numberToF16;
});

test("mixed_4_6: 6-bit tensors become Q6_K (difference measured with ggml), 4-bit ones Q4_1 bit-exact, per the config's overrides", async () => {
  const mlx = await mlxModel("mixed", { bits: 4, groupSize: 64, recipe: "mixed_4_6" });
  const cfg = JSON.parse(fs.readFileSync(path.join(mlx, "config.json"), "utf8")) as { quantization: Record<string, unknown> };
  const six = Object.entries(cfg.quantization).filter(([, v]) => typeof v === "object" && (v as { bits: number }).bits === 6).map(([k]) => k);
  assert.ok(six.length > 0, "the recipe gives some modules 6 bits");
  const r: ConvertMlxToGgufResult = await convertMlxToGguf({ sourceDir: mlx, outPath: path.join(tmp.dir, "mixed.gguf"), ...kernels });
  const byName = new Map(r.tensors.map((t) => [t.name, t.type]));
  for (const [name, module] of MODULES) assert.equal(byName.get(name), six.includes(module) ? G.Q6_K : G.Q4_1, name);
  assert.deepEqual(r.mlx.bitExact, { exact: MODULES.length - six.length, quantized: MODULES.length });
  const q6 = r.mlx.differences.filter((d) => d.type === "Q6_K");
  assert.ok(q6.length > 0 && q6.every((d) => d.measured && d.maxAbs > 0 && d.maxAbs < 0.05), JSON.stringify(q6));
  await assertBitExact(path.join(tmp.dir, "mixed.gguf"), mlx, "blk.0.ffn_up.weight", "model.layers.0.mlp.up_proj", 4, 64);
});

test("8-bit → Q8_0 from the dequantized weights, difference reported; outtype f16 dequantizes everything", async () => {
  const mlx = await mlxModel("eight", { bits: 8, groupSize: 64 });
  const r = await convertMlxToGguf({ sourceDir: mlx, outPath: path.join(tmp.dir, "eight.gguf") });
  assert.equal(r.ftypeLabel, "Q8_0");
  assert.deepEqual(r.mlx.bitExact, { exact: 0, quantized: MODULES.length });
  assert.ok(r.mlx.differences.every((d) => d.type === "Q8_0" && d.measured && d.maxAbs < 0.01));
  const f = await convertMlxToGguf({ sourceDir: mlx, outPath: path.join(tmp.dir, "eight-f16.gguf"), outtype: "f16" });
  assert.equal(f.ftypeLabel, "F16");
  assert.ok(f.tensors.filter((t) => t.dims.length === 2).every((t) => t.type === G.F16));
});

function rewriteConfig(dir: string, edit: (c: Record<string, unknown>) => void): void {
  const p = path.join(dir, "config.json");
  const c = JSON.parse(fs.readFileSync(p, "utf8")) as Record<string, unknown>;
  edit(c);
  fs.writeFileSync(p, JSON.stringify(c));
}

function renameTensor(file: string, from: string, to: string): void {
  assert.equal(from.length, to.length);
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const head = buf.subarray(8, 8 + n).toString("utf8");
  assert.ok(head.includes(`"${from}"`));
  buf.write(head.replace(`"${from}"`, `"${to}"`), 8, "utf8");
  fs.writeFileSync(file, buf);
}

test("read-ahead and chunking change no byte: small chunks (every tensor in several) and the default (most read ahead whole) write the same file, for repacks, re-quantizations and float tensors", async () => {
  for (const [name, o, outtype] of [["ra4", { bits: 4, groupSize: 64 }, "auto"], ["ra5", { bits: 5, groupSize: 32 }, "auto"], ["ra8", { bits: 8, groupSize: 32 }, "auto"], ["ra4f", { bits: 4, groupSize: 32 }, "f16"]] as const) {
    const dir = await mlxModel(name, o);
    const whole = path.join(tmp.dir, `${name}-whole.gguf`);
    const chunked = path.join(tmp.dir, `${name}-chunked.gguf`);
    const progress: string[] = [];
    await convertMlxToGguf({ sourceDir: dir, outPath: whole, outtype, onProgress: (p) => progress.push(p.tensor) });
    await convertMlxToGguf({ sourceDir: dir, outPath: chunked, outtype, chunkBytes: 2048 });
    assert.ok(fs.readFileSync(whole).equals(fs.readFileSync(chunked)), `${name}: same bytes`);
    const h = await readGgufHeader(whole);
    assert.deepEqual([...new Set(progress)], h.tensors.map((t) => t.name), `${name}: progress in file order`);
  }
});

test("bad MLX folders: typed errors naming the tensor, and no file (or staging file) left", async () => {
  const outDir = path.join(tmp.dir, "bad-out");
  fs.mkdirSync(outDir);
  const out = path.join(outDir, "bad.gguf");

  const eight = await mlxModel("bad-bits", { bits: 8, groupSize: 64 });
  rewriteConfig(eight, (c) => {
    for (const k of ["quantization", "quantization_config"]) c[k] = { group_size: 64, bits: 4, mode: "affine" };
  });
  await assertCortexRejects(convertMlxToGguf({ sourceDir: eight, outPath: out }), "FMT_INVALID", '.weight" (model.safetensors)', "says 4-bit with group size 64", "8-bit at group size 64");

  const noScales = await mlxModel("bad-scales", { bits: 4, groupSize: 64 });
  renameTensor(path.join(noScales, "model.safetensors"), "model.layers.0.mlp.up_proj.scales", "model.layers.0.mlp.up_proj.scalez");
  const index = path.join(noScales, "model.safetensors.index.json");
  if (fs.existsSync(index)) fs.writeFileSync(index, fs.readFileSync(index, "utf8").replace("\"model.layers.0.mlp.up_proj.scales\"", "\"model.layers.0.mlp.up_proj.scalez\""));
  await assertCortexRejects(convertMlxToGguf({ sourceDir: noScales, outPath: out }), "FMT_INVALID", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.up_proj.scales", "missing");

  const odd = await makeHfCheckpoint(path.join(tmp.dir, "hf-odd"), { numLayers: 1, hiddenSize: 256, intermediateSize: 160, vocabSize: 300, seed: 3 });
  const g32 = await mlxModel("bad-group", { bits: 4, groupSize: 32 }, odd.dir);
  rewriteConfig(g32, (c) => {
    for (const k of ["quantization", "quantization_config"]) (c[k] as Record<string, unknown>)["model.layers.0.mlp.down_proj"] = { group_size: 64, bits: 4 };
  });
  await assertCortexRejects(convertMlxToGguf({ sourceDir: g32, outPath: out }), "FMT_INVALID", "model.layers.0.mlp.down_proj.weight", "group size 64", "row length 160");

  await assertCortexRejects(convertMlxToGguf({ sourceDir: noScales, outPath: out, outtype: "q4_k_m" }), "QUANT_UNSUPPORTED_TYPE", "q4_k_m");
  assert.deepEqual(fs.readdirSync(outDir), [], "nothing half-written");
});

// A conversion killed mid-write (worker kill -9) left `<out>.converting` for ever: no pid in the name, so the
// store's stale-temp sweep never matched it, and two runs of one job (a lost Redis lock) shared the one file.
test("the staging file of an MLX → GGUF conversion carries its writer's pid: the sweep removes it once that writer is dead", async () => {
  const mlx = await mlxModel("staging", { bits: 4, groupSize: 64 });
  const outDir = path.join(tmp.dir, "staging-out");
  fs.mkdirSync(outDir);
  let staging = "";
  await convertMlxToGguf({ sourceDir: mlx, outPath: path.join(outDir, "s.gguf"), publish: async (from, to) => { staging = from; fs.copyFileSync(from, `${from}.kept`); fs.renameSync(from, to); } });
  assert.ok(path.basename(staging).includes(`.tmp-${process.pid}`), `staging name ${staging} names its writer`);
  const orphan = staging.replace(`.tmp-${process.pid}`, `.tmp-${2 ** 22 + 7}`); // above pid_max: a dead writer
  fs.renameSync(`${staging}.kept`, orphan);
  assert.deepEqual(sweepStaleTemps([outDir]), [orphan]);
  assert.deepEqual(fs.readdirSync(outDir), ["s.gguf"]);
});

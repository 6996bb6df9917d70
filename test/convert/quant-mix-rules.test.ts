/**
 * llama-quantize's tensor type rules: hand-checked cases from src/llama-quant.cpp, then the one-pass path
 * (convert + quantize in one go, ggml's own kernels via koffi) against convert-then-llama_model_quantize
 * from node-llama-cpp's libllama, byte for byte.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { quantMixTensorType, tensorAllowsQuantization, tensorTypeFallback, type QuantMixModel } from "../../src/convert/quant-mix-rules.js";
import { GGML_TYPE as G, LLAMA_FTYPE as F, ggmlTypeName } from "../../src/formats/gguf/ggml-types.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { makeHfCheckpoint, type HfCheckpointOptions } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../formats/helpers.js";
import { loadGgmlKernels } from "./helpers/ggml-kernels.js";

const dense: QuantMixModel = { arch: "llama", nGqa: 4, nExpert: 0, is70B: false, hasOutput: true };
const type = (name: string, layer: number, n: number, ftype: number, ne: number[], model = dense): string =>
  ggmlTypeName(quantMixTensorType(name, layer, n, ftype, ne, G.F16, model))!;

/** formats.md §6 `use_more_bits` table, through attn_v under Q4_K_M. */
const MORE_BITS: Record<number, number[]> = {
  16: [0, 1, 4, 7, 10, 13, 14, 15],
  22: [0, 1, 4, 7, 10, 13, 16, 19, 20, 21],
  24: [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23],
  32: [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31],
};

for (const [n, layers] of Object.entries(MORE_BITS)) {
  test(`Q4_K_M: attn_v and ffn_down are Q6_K exactly in layers ${layers.join(",")} of ${n}`, () => {
    for (let i = 0; i < Number(n); i++) {
      const want = layers.includes(i) ? "Q6_K" : "Q4_K";
      assert.equal(type(`blk.${i}.attn_v.weight`, i, Number(n), F.MOSTLY_Q4_K_M, [4096, 1024], { ...dense, nAttentionV: Number(n) }), want, `attn_v ${i}`);
      assert.equal(type(`blk.${i}.ffn_down.weight`, i, Number(n), F.MOSTLY_Q4_K_M, [14336, 4096]), want, `ffn_down ${i}`);
      assert.equal(type(`blk.${i}.attn_q.weight`, i, Number(n), F.MOSTLY_Q4_K_M, [4096, 4096]), "Q4_K");
    }
  });
}

test("output.weight → Q6_K (Q8_0 when its rows do not fit the block); token_embd follows it only when tied", () => {
  assert.equal(type("output.weight", -1, 16, F.MOSTLY_Q4_K_M, [2048, 128256]), "Q6_K");
  assert.equal(type("output.weight", -1, 16, F.MOSTLY_Q4_0, [2048, 128256]), "Q6_K");
  assert.equal(type("output.weight", -1, 16, F.MOSTLY_Q4_K_M, [96, 300]), "Q8_0");
  assert.equal(type("token_embd.weight", -1, 16, F.MOSTLY_Q4_K_M, [2048, 128256]), "Q4_K");
  assert.equal(type("token_embd.weight", -1, 16, F.MOSTLY_Q4_K_M, [2048, 128256], { ...dense, hasOutput: false }), "Q6_K");
  assert.equal(type("token_embd.weight", -1, 16, F.MOSTLY_Q5_K_M, [2048, 128256]), "Q5_K");
});

test("norms, biases and 1-D tensors keep their type; only 2-D+ .weight tensors are quantized", () => {
  assert.equal(tensorAllowsQuantization("blk.0.attn_norm.weight", [4096]), false);
  assert.equal(tensorAllowsQuantization("blk.0.attn_q.bias", [4096]), false);
  assert.equal(tensorAllowsQuantization("blk.0.ffn_gate_inp.weight", [4096, 8]), false);
  assert.equal(tensorAllowsQuantization("blk.0.attn_q_norm.weight", [128]), false);
  assert.equal(tensorAllowsQuantization("blk.0.attn_q.weight", [4096, 4096]), true);
  assert.equal(quantMixTensorType("blk.0.attn_norm.weight", 0, 2, F.MOSTLY_Q4_K_M, [4096], G.F32, dense), G.F32);
  assert.equal(quantMixTensorType("rope_freqs.weight", -1, 2, F.MOSTLY_Q4_K_M, [64], G.F32, dense), G.F32);
});

test("shape fallbacks: ncols not divisible by 256 → Q5_0 / Q5_1 / Q8_0 / Q4_0, still not → F16", () => {
  assert.equal(ggmlTypeName(tensorTypeFallback(64, G.Q4_K)), "Q5_0");
  assert.equal(ggmlTypeName(tensorTypeFallback(64, G.Q5_K)), "Q5_1");
  assert.equal(ggmlTypeName(tensorTypeFallback(64, G.Q6_K)), "Q8_0");
  assert.equal(ggmlTypeName(tensorTypeFallback(64, G.Q3_K)), "Q4_0");
  assert.equal(ggmlTypeName(tensorTypeFallback(64, G.IQ4_XS)), "IQ4_NL");
  assert.equal(ggmlTypeName(tensorTypeFallback(48, G.Q4_K)), "F16");
  assert.equal(ggmlTypeName(tensorTypeFallback(48, G.Q4_0)), "F16");
  assert.equal(ggmlTypeName(tensorTypeFallback(256, G.Q4_K)), "Q4_K");
  assert.equal(type("blk.0.attn_q.weight", 0, 2, F.MOSTLY_Q4_K_M, [64, 64]), "Q5_0");
});

test("other mixes: Q3_K_M / Q3_K_L / Q2_K / Q4_K_S / Q5_K_S / fused qkv", () => {
  assert.equal(type("blk.0.attn_v.weight", 0, 32, F.MOSTLY_Q3_K_M, [4096, 1024]), "Q5_K");
  assert.equal(type("blk.2.attn_v.weight", 2, 32, F.MOSTLY_Q3_K_M, [4096, 1024]), "Q4_K");
  assert.equal(type("blk.1.ffn_down.weight", 1, 32, F.MOSTLY_Q3_K_M, [14336, 4096]), "Q5_K");
  assert.equal(type("blk.5.ffn_down.weight", 5, 32, F.MOSTLY_Q3_K_M, [14336, 4096]), "Q4_K");
  assert.equal(type("blk.5.attn_output.weight", 5, 32, F.MOSTLY_Q3_K_M, [4096, 4096]), "Q4_K");
  assert.equal(type("blk.5.attn_output.weight", 5, 32, F.MOSTLY_Q3_K_L, [4096, 4096]), "Q5_K");
  assert.equal(type("blk.5.attn_v.weight", 5, 32, F.MOSTLY_Q2_K, [4096, 1024]), "Q4_K");
  assert.equal(type("blk.5.attn_v.weight", 5, 32, F.MOSTLY_Q2_K, [4096, 1024], { ...dense, nGqa: 1 }), "Q3_K");
  assert.equal(type("blk.5.ffn_down.weight", 5, 32, F.MOSTLY_Q2_K, [14336, 4096]), "Q3_K");
  assert.equal(type("blk.3.attn_v.weight", 3, 32, F.MOSTLY_Q4_K_S, [4096, 1024]), "Q5_K");
  assert.equal(type("blk.4.attn_v.weight", 4, 32, F.MOSTLY_Q4_K_S, [4096, 1024]), "Q4_K");
  assert.equal(type("blk.0.attn_q.weight", 0, 32, F.MOSTLY_Q5_K_S, [4096, 4096]), "Q5_K");
  // attn_qkv takes the attn_v rules first in this llama.cpp, so its own branch (Q4_K_M → Q5_K) is dead code.
  assert.equal(type("blk.0.attn_qkv.weight", 0, 32, F.MOSTLY_Q4_K_M, [3072, 9216]), "Q6_K");
  assert.equal(type("blk.5.attn_qkv.weight", 5, 32, F.MOSTLY_Q4_K_M, [3072, 9216]), "Q4_K");
  // 70B llama: attn_v Q4_K → Q5_K
  assert.equal(type("blk.20.attn_v.weight", 20, 80, F.MOSTLY_Q4_K_M, [8192, 1024], { ...dense, is70B: true }), "Q5_K");
});

const kernels = loadGgmlKernels();
const kskip = "skip" in kernels ? kernels.skip : false;
if (kskip) console.log(`# one-pass vs llama_model_quantize skipped: ${kskip}`);
const tmp = tempDir("convert-quant");
after(tmp.cleanup);

const ONE_PASS: [string, HfCheckpointOptions, string][] = [
  ["llama 4 layers", { arch: "llama", dtype: "bf16", numLayers: 4 }, "Q4_K_M"],
  ["llama 4 layers", { arch: "llama", dtype: "bf16", numLayers: 4 }, "Q5_K_M"],
  ["llama 4 layers", { arch: "llama", dtype: "bf16", numLayers: 4 }, "Q6_K"],
  ["llama 4 layers", { arch: "llama", dtype: "bf16", numLayers: 4 }, "Q4_0"],
  ["llama 4 layers", { arch: "llama", dtype: "bf16", numLayers: 4 }, "Q3_K_M"],
  ["llama f16, tied embeddings", { arch: "llama", dtype: "f16", tieWordEmbeddings: true }, "Q4_K_S"],
  ["llama f32 (F16 intermediate), 64 wide: shape fallbacks", { arch: "llama", dtype: "f32", hiddenSize: 64, intermediateSize: 128 }, "Q4_K_M"],
  ["qwen2 with biases", { arch: "qwen2", dtype: "bf16" }, "Q5_0"],
];

for (const [name, options, ftype] of ONE_PASS) {
  test(`one pass ${ftype} = convert (auto) + llama_model_quantize ${ftype}: ${name}`, { skip: kskip }, async () => {
    const k = kernels as Exclude<typeof kernels, { skip: string }>;
    const dir = join(tmp.dir, `${name}-${ftype}`.replace(/[^a-z0-9]+/gi, "-"));
    const info = await makeHfCheckpoint(dir, options);
    const mid = `${dir}.mid.gguf`;
    const twoStep = `${dir}.two.gguf`;
    const onePass = `${dir}.one.gguf`;
    await convertHfToGguf({ sourceDir: info.dir, outPath: mid, outtype: "auto" });
    const code = F[`MOSTLY_${ftype}` as keyof typeof F];
    k.modelQuantize(mid, twoStep, code);
    const r = await convertHfToGguf({ sourceDir: info.dir, outPath: onePass, outtype: ftype, quantizeTensor: (_n, data, dims, t) => k.quantize(t, data, dims[0]!) });
    assert.equal(r.ftypeLabel, ftype);
    if (name === "llama 4 layers" && ftype === "Q4_K_M") {
      // 4 layers: use_more_bits picks layer 2 ((2 − 0) % 3 == 2) and 3 (≥ 7·4/8); output.weight is Q6_K.
      const types = new Map(r.tensors.map((t) => [t.name, ggmlTypeName(t.type)]));
      assert.deepEqual([0, 1, 2, 3].map((i) => types.get(`blk.${i}.attn_v.weight`)), ["Q4_K", "Q4_K", "Q6_K", "Q6_K"]);
      assert.equal(types.get("output.weight"), "Q6_K");
      assert.equal(types.get("blk.0.attn_norm.weight"), "F32");
    }
    const [a, b] = [readFileSync(onePass), readFileSync(twoStep)];
    if (!a.equals(b)) {
      const [ha, hb] = [await readGgufHeader(onePass), await readGgufHeader(twoStep)];
      assert.deepEqual([...ha.kv.keys()], [...hb.kv.keys()], "metadata keys");
      assert.deepEqual(ha.tensors.map((t) => `${t.name} ${t.typeName}`), hb.tensors.map((t) => `${t.name} ${t.typeName}`), "tensor types");
      for (const [i, t] of hb.tensors.entries()) {
        const o = ha.tensors[i]!;
        assert.ok(a.subarray(o.absoluteOffset, o.absoluteOffset + o.byteSize).equals(b.subarray(t.absoluteOffset, t.absoluteOffset + t.byteSize)), `data of ${t.name}`);
      }
      assert.fail(`files differ (${a.length} vs ${b.length} bytes) though keys, types and data agree`);
    }
  });
}

/**
 * Bad inputs and interruptions: each error code names what is wrong, and no partial output is left behind —
 * neither the final file nor a staging/temp file — while an existing file at outPath is left untouched.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { tensorByteSize } from "../../src/formats/gguf/ggml-types.js";
import { makeHfArchCheckpoint } from "../fixtures/make-hf-arch-checkpoint.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { assertRejectsWith, tempDir } from "../formats/helpers.js";

const tmp = tempDir("convert-err");
after(tmp.cleanup);

/** A fresh fixture in its own folder, plus an output folder that must stay clean. */
async function fixture(name: string, edit?: (dir: string) => void): Promise<{ dir: string; outDir: string; out: string }> {
  const dir = join(tmp.dir, name, "model");
  await makeHfCheckpoint(dir, { arch: "llama", dtype: "bf16", hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1 });
  edit?.(dir);
  const outDir = join(tmp.dir, name);
  return { dir, outDir, out: join(outDir, "out.gguf") };
}

const editJson = (file: string, f: (j: Record<string, unknown>) => void): void => {
  const j = JSON.parse(readFileSync(file, "utf8"));
  f(j);
  writeFileSync(file, JSON.stringify(j, null, 2));
};

/** Only the input folder remains next to where the output would have gone. */
function assertNothingWritten(outDir: string): void {
  assert.deepEqual(readdirSync(outDir), ["model"]);
}

test("unsupported architecture: CONV_UNSUPPORTED_ARCH names it and lists the supported ones", async () => {
  const f = await fixture("arch", (d) => editJson(join(d, "config.json"), (j) => (j.architectures = ["MixtralForCausalLM"])));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out }), "CONV_UNSUPPORTED_ARCH", /"MixtralForCausalLM" is not supported; supported: .*LlamaForCausalLM.*Qwen2ForCausalLM.*Phi3ForCausalLM.*Gemma2ForCausalLM/, "config.json");
  assertNothingWritten(f.outDir);
  const g = await fixture("noarch", (d) => editJson(join(d, "config.json"), (j) => delete j.architectures));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: g.dir, outPath: g.out }), "CONV_UNSUPPORTED_ARCH", /no "architectures" entry/, "config.json");
});

test("missing tokenizer: CONV_MISSING_TOKENIZER names the folder (BPE and SentencePiece architectures)", async () => {
  const f = await fixture("notok", (d) => rmSync(join(d, "tokenizer.json")));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out }), "CONV_MISSING_TOKENIZER", /no tokenizer\.model or tokenizer\.json/, f.dir);
  assertNothingWritten(f.outDir);
  const gemma = join(tmp.dir, "gemma-notok", "model");
  await makeHfArchCheckpoint(gemma, { arch: "gemma", hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1 });
  rmSync(join(gemma, "tokenizer.model"));
  writeFileSync(join(gemma, "tokenizer.json"), JSON.stringify({ model: { type: "Unigram", vocab: [] } }));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: gemma, outPath: join(tmp.dir, "gemma-notok", "out.gguf") }), "CONV_MISSING_TOKENIZER", /Gemma needs tokenizer\.model/, gemma);
  assertNothingWritten(join(tmp.dir, "gemma-notok"));
});

test("an unrecognised BPE pre-tokenizer is CONV_MISSING_TOKENIZER with its fingerprint; preTokenizer overrides it", async () => {
  const f = await fixture("pre", (d) => editJson(join(d, "tokenizer.json"), (j) => (j.pre_tokenizer = { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "\\s+|\\p{L}+" }, behavior: "Isolated", invert: false }, { type: "ByteLevel", add_prefix_space: false, use_regex: false }] })));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out }), "CONV_MISSING_TOKENIZER", /pre-tokenizer of tokenizer\.json is not recognised \(chkhsh [0-9a-f]{64}\)/, f.dir);
  assertNothingWritten(f.outDir);
  const r = await convertHfToGguf({ sourceDir: f.dir, outPath: f.out, preTokenizer: "llama-bpe" });
  assert.equal(r.tokenizer.pre, "llama-bpe");
});

test("config/tensor shape mismatch: CONV_SHAPE_MISMATCH names the tensor and both shapes", async () => {
  const f = await fixture("shape", (d) => editJson(join(d, "config.json"), (j) => (j.intermediate_size = 256)));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out }), "CONV_SHAPE_MISMATCH", /tensor "model\.layers\.0\.mlp\.down_proj\.weight" \(model\.safetensors\) has shape \[64, 128\] but .*config\.json implies \[64, 256\]/);
  assertNothingWritten(f.outDir);
  const v = await fixture("vocab", (d) => editJson(join(d, "config.json"), (j) => (j.vocab_size = 301)));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: v.dir, outPath: v.out }), "CONV_SHAPE_MISMATCH", /"(lm_head|model\.embed_tokens)\.weight" .*\[300, 64\] but .*\[301, 64\]/);
});

test("abort mid-way: JOB_CANCELLED, no output, no staging file; an existing file at outPath is untouched", async () => {
  const f = await fixture("abort");
  writeFileSync(f.out, "previous version");
  const ac = new AbortController();
  let seen = 0;
  await assertRejectsWith(
    () => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, signal: ac.signal, onProgress: (p) => (p.done >= 3 && ++seen === 1 ? ac.abort() : undefined) }),
    "JOB_CANCELLED", /conversion of .* was cancelled/, f.dir,
  );
  assert.equal(readFileSync(f.out, "utf8"), "previous version");
  assert.deepEqual(readdirSync(f.outDir).sort(), ["model", "out.gguf"]);
  rmSync(f.out);
  const pre = new AbortController();
  pre.abort();
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, signal: pre.signal }), "JOB_CANCELLED", /cancelled/);
  assertNothingWritten(f.outDir);
});

test("a failing quantizer mid-file leaves nothing; without one, llama-quantize types are QUANT_UNSUPPORTED_TYPE up front", async () => {
  const f = await fixture("qfail");
  let calls = 0;
  let failAt = Infinity;
  const quantizeTensor = (_n: string, _d: Float32Array, dims: readonly number[], type: number): Uint8Array => {
    if (++calls === failAt) throw new Error("kernel exploded");
    return new Uint8Array(tensorByteSize(type, dims));
  };
  await convertHfToGguf({ sourceDir: f.dir, outPath: join(f.outDir, "whole.gguf"), outtype: "Q4_0", quantizeTensor });
  const quantized = calls;
  rmSync(join(f.outDir, "whole.gguf"));
  calls = 0;
  failAt = 3;
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, outtype: "Q4_0", quantizeTensor }), "CONV_FAILED", /kernel exploded/, f.dir);
  // The conversion stops at the failure: only the few tensors read ahead (≤ 4) were handed to the quantizer too.
  assert.ok(calls >= 3 && calls <= 3 + 4 && calls < quantized, `${calls} quantizer calls of ${quantized}`);
  assertNothingWritten(f.outDir);
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, outtype: "Q4_0", quantizeTensor: () => new Uint8Array(7) }), "QUANT_FAILED", /gave 7 bytes, expected/);
  assertNothingWritten(f.outDir);
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, outtype: "Q4_K_M" }), "QUANT_UNSUPPORTED_TYPE", /needs ggml quantization kernels/);
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, outtype: "q3_x" }), "QUANT_UNSUPPORTED_TYPE", /outtype "q3_x" is not supported/);
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out, outtype: "tq1_0" }), "QUANT_UNSUPPORTED_TYPE", /tq1_0/);
  assertNothingWritten(f.outDir);
});

test("pre-quantized checkpoints and folders without config.json are refused before writing", async () => {
  const f = await fixture("fp8", (d) => editJson(join(d, "config.json"), (j) => (j.quantization_config = { quant_method: "fp8", weight_block_size: [128, 128] })));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: f.dir, outPath: f.out }), "CONV_FAILED", /pre-quantized checkpoints \(quant_method "fp8"\)/, "config.json");
  const g = await fixture("nocfg", (d) => rmSync(join(d, "config.json")));
  await assertRejectsWith(() => convertHfToGguf({ sourceDir: g.dir, outPath: g.out }), "FMT_INVALID", /no config\.json/, g.dir);
  assert.equal(existsSync(g.out), false);
});

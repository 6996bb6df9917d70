/**
 * cortexd's in-process quantization (llama_model_quantize from node-llama-cpp's prebuilt libllama) against
 * the llama-quantize tool built from the very same llama.cpp commit by test/tools/build-llama-tools.sh:
 * the output files must be byte-identical for every type, with the same thread count. Skips with the reason
 * when the tool has not been built (no cmake or compiler, or the script was not run).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { llamaQuantizeFile } from "../../src/quantize/llama-quantize-file.js";
import { fileTempDir, llamaCppSource, llamaQuantizeTool, makeLlamaGguf } from "./helpers.js";

const source = llamaCppSource();
const tool = llamaQuantizeTool();
const skip = "skip" in source ? source.skip : "skip" in tool ? tool.skip : false;
if (skip) console.log(`# llama-quantize parity skipped: ${skip}`);
const tmp = fileTempDir("ggml-parity-file");
after(tmp.cleanup);

const THREADS = 2;
let f16 = "";
let bf16 = "";
let f32Tied = "";
before(() => {
  if (skip) return;
  const src = (source as { src: string }).src;
  f16 = makeLlamaGguf(src, path.join(tmp.dir, "f16.gguf"), { seed: 5 });
  bf16 = makeLlamaGguf(src, path.join(tmp.dir, "bf16.gguf"), { dtype: "bf16", seed: 6 });
  // hidden 64: K-quant rows fall back (rule 9); tied embeddings: token_embd takes output's type (rule 1).
  f32Tied = makeLlamaGguf(src, path.join(tmp.dir, "f32-tied.gguf"), { dtype: "f32", hidden: 64, ff: 128, layers: 2, tied: true, seed: 7 });
});

function upstream(input: string, out: string, type: string): void {
  const r = spawnSync((tool as { bin: string }).bin, [input, out, type, String(THREADS)], { encoding: "utf8" });
  assert.equal(r.status, 0, `llama-quantize ${type} failed: ${r.stderr.split("\n").slice(-5).join("\n")}`);
}

async function compare(input: string, type: string): Promise<void> {
  const base = path.basename(input, ".gguf");
  const theirs = path.join(tmp.dir, `${base}-${type}-tool.gguf`);
  const ours = path.join(tmp.dir, `${base}-${type}-cortex.gguf`);
  upstream(input, theirs, type);
  await llamaQuantizeFile(input, ours, { type, threads: THREADS });
  const a = fs.readFileSync(theirs);
  const b = fs.readFileSync(ours);
  assert.equal(b.length, a.length, `${base} ${type}: sizes differ`);
  const at = a.findIndex((v, i) => v !== b[i]);
  assert.equal(at, -1, `${base} ${type}: first differing byte at ${at}`);
}

for (const type of ["Q8_0", "Q4_K_M", "Q5_K_M", "Q6_K", "Q4_0", "Q2_K"]) {
  test(`F16 → ${type} is byte-identical to llama-quantize`, { skip }, () => compare(f16, type));
}

for (const type of ["Q4_K_S", "Q5_K_S", "Q3_K_M", "Q4_1", "Q5_0", "Q5_1"]) {
  test(`F16 → ${type} (the other supported quantizations) is byte-identical too`, { skip }, () => compare(f16, type));
}

test("BF16 → Q4_K_M and BF16 → F16 are byte-identical to llama-quantize", { skip }, async () => {
  await compare(bf16, "Q4_K_M");
  await compare(bf16, "F16");
  await compare(f16, "BF16");
});

test("shape fallbacks and tied embeddings (hidden 64, F32) are byte-identical to llama-quantize", { skip }, async () => {
  await compare(f32Tied, "Q4_K_M");
  await compare(f32Tied, "Q2_K");
});

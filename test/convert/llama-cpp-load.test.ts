/**
 * Converted files in llama.cpp itself (node-llama-cpp): they load, tokenize and generate, and — for the
 * tensor layout and the q/k permutation — llama.cpp's next-token distribution equals an independent f64
 * forward pass of the Hugging Face model (transformers semantics). A file whose q/k rows are left in HF order
 * must fail that comparison, which shows the check can fail.
 */
import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { after, before, test } from "node:test";
import { getLlama, LlamaCompletion, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { makeHfArchCheckpoint, type ArchFixture } from "../fixtures/make-hf-arch-checkpoint.js";
import { makeHfCheckpoint, type HfCheckpointInfo } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../formats/helpers.js";
import { hfLlamaLogits } from "./helpers/hf-llama-forward.js";

const tmp = tempDir("convert-load");
let llama: Llama;
before(async () => {
  llama = await getLlama({ gpu: false, logger: () => undefined });
});
after(async () => {
  await llama?.dispose();
  tmp.cleanup();
});

const PROMPT = "the cat sat on the mat. the dog";

/** llama.cpp's log-probabilities of the next token, centred (mean 0). */
async function llamaCppLogProbs(model: LlamaModel, tokens: number[], vocab: number): Promise<Float64Array> {
  const ctx = await model.createContext({ contextSize: 256, threads: 2 });
  try {
    const seq = ctx.getSequence();
    const it = seq.evaluateWithMetadata(tokens as Token[], { probabilities: true }, { temperature: 1, topK: vocab, topP: 1, minP: 0 });
    let first = await it.next();
    await it.return();
    // The token is sampled at temperature 1: when it is end-of-generation, node-llama-cpp ends without yielding
    // its metadata. The distribution is what is measured, so sample again (a fresh sequence) rather than fail.
    for (let retry = 0; first.done && retry < 5; retry++) {
      await seq.clearHistory();
      const again = seq.evaluateWithMetadata(tokens as Token[], { probabilities: true }, { temperature: 1, topK: vocab, topP: 1, minP: 0 });
      first = await again.next();
      await again.return();
    }
    assert.ok(!first.done);
    const probs = first.value.probabilities;
    assert.equal(probs.size, vocab, "expected a probability for every token");
    const out = new Float64Array(vocab);
    for (const [tok, p] of probs) out[tok as number] = Math.log(p);
    return centre(out);
  } finally {
    await ctx.dispose();
  }
}

function centre(v: Float64Array): Float64Array {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return v.map((x) => x - mean);
}

/** The HF model's centred log-softmax of the next token. */
function hfLogProbs(info: HfCheckpointInfo, tokens: number[]): Float64Array {
  const c = info.config as Record<string, number | boolean>;
  const logits = hfLlamaLogits({
    hidden: c.hidden_size as number, heads: c.num_attention_heads as number, kvHeads: c.num_key_value_heads as number, ff: c.intermediate_size as number,
    layers: c.num_hidden_layers as number, vocab: c.vocab_size as number, eps: c.rms_norm_eps as number, theta: c.rope_theta as number,
    tied: c.tie_word_embeddings as boolean, biases: c.attention_bias as boolean, get: (n) => info.expectedFloat32(n),
  }, tokens);
  const mx = Math.max(...logits);
  const lse = mx + Math.log(logits.reduce((a, x) => a + Math.exp(x - mx), 0));
  return centre(logits.map((x) => x - lse));
}

const maxAbsDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
const spread = (a: Float64Array): number => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

for (const arch of ["llama", "qwen2"] as const) {
  test(`${arch}: llama.cpp's next-token distribution from the f32 GGUF equals the HF model's`, async () => {
    const info = await makeHfCheckpoint(`${tmp.dir}/${arch}-fwd`, { arch, dtype: "f32", hiddenSize: 128, intermediateSize: 256, numHeads: 4, numKvHeads: 2, seed: 7 });
    const out = `${tmp.dir}/${arch}-fwd.gguf`;
    await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype: "f32" });
    const model = await llama.loadModel({ modelPath: out });
    try {
      const tokens = [...model.tokenize(PROMPT)];
      assert.ok(tokens.length >= 8);
      const ours = await llamaCppLogProbs(model, tokens, info.config.vocab_size as number);
      const ref = hfLogProbs(info, tokens);
      const diff = maxAbsDiff(ours, ref);
      assert.ok(spread(ref) > 0.05, `logits too flat to compare: spread ${spread(ref)}`);
      console.log(`# ${arch}: max |Δ log p| ${diff.toExponential(2)}, spread ${spread(ref).toFixed(3)}`);
      assert.ok(diff < 2e-3, `max |Δ log p| ${diff} (spread ${spread(ref)})`);
    } finally {
      await model.dispose();
    }
  });
}

test("llama: the same file with q/k rows left in HF order gives a different distribution (the check can fail)", async () => {
  const info = await makeHfCheckpoint(`${tmp.dir}/noperm`, { arch: "llama", dtype: "f32", hiddenSize: 128, intermediateSize: 256, numHeads: 4, numKvHeads: 2, seed: 7 });
  const out = `${tmp.dir}/noperm.gguf`;
  await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype: "f32" });
  // Overwrite attn_q / attn_k with the unpermuted HF rows. (The correct file differs from the HF model by ~5e-4, from
  // llama.cpp's f16 KV cache; leaving the rows unpermuted gives ~1e-2.)
  const h = await readGgufHeader(out);
  const fh = await open(out, "r+");
  for (const t of h.tensors.filter((x) => /attn_[qk]\.weight$/.test(x.name))) {
    const layer = /blk\.(\d+)\./.exec(t.name)![1];
    const hf = info.expectedFloat32(`model.layers.${layer}.self_attn.${t.name.includes("attn_q") ? "q" : "k"}_proj.weight`);
    await fh.write(new Uint8Array(hf.buffer, hf.byteOffset, hf.byteLength), 0, hf.byteLength, t.absoluteOffset);
  }
  await fh.close();
  const model = await llama.loadModel({ modelPath: out });
  try {
    const tokens = [...model.tokenize(PROMPT)];
    const diff = maxAbsDiff(await llamaCppLogProbs(model, tokens, info.config.vocab_size as number), hfLogProbs(info, tokens));
    console.log(`# unpermuted: max |Δ log p| ${diff.toExponential(2)}`);
    assert.ok(diff > 5e-3, `unpermuted q/k should change the output, max |Δ log p| only ${diff}`);
  } finally {
    await model.dispose();
  }
});

test("f16, bf16 and q8_0 files load, round-trip text through the tokenizer and generate; f16 greedy tokens match f32", async () => {
  const info = await makeHfCheckpoint(`${tmp.dir}/gen`, { arch: "llama", dtype: "bf16", chatTemplate: "chatml" });
  const greedy: Record<string, string> = {};
  for (const outtype of ["f32", "f16", "bf16", "q8_0"]) {
    const out = `${tmp.dir}/gen-${outtype}.gguf`;
    await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype });
    const model = await llama.loadModel({ modelPath: out });
    const ctx = await model.createContext({ contextSize: 256, threads: 2 });
    try {
      const toks = model.tokenize("hello world, this is a test.");
      assert.equal(model.detokenize(toks), "hello world, this is a test.");
      const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
      const res = await completion.generateCompletionWithMeta("the cat sat", { maxTokens: 8, temperature: 0 });
      assert.ok(res.response.length > 0, `${outtype}: generated nothing`);
      greedy[outtype] = res.response;
    } finally {
      await ctx.dispose();
      await model.dispose();
    }
  }
  // bf16 weights are exactly representable in f32; f16 rounding of N(0, 0.02) weights is far below the logit gaps.
  assert.equal(greedy.bf16, greedy.f32);
  assert.equal(greedy.f16, greedy.f32);
});

test("Qwen3, Phi-3, Gemma, Gemma 2 and SentencePiece / byte-fallback Llama files load, tokenize exactly and generate", async () => {
  for (const arch of ["qwen3", "phi3", "gemma", "gemma2", "llama-spm", "llama-hf"] as ArchFixture[]) {
    const dir = `${tmp.dir}/arch-${arch}`;
    await makeHfArchCheckpoint(dir, { arch, dtype: "bf16" });
    await convertHfToGguf({ sourceDir: dir, outPath: `${dir}.gguf`, outtype: "f16" });
    const model = await llama.loadModel({ modelPath: `${dir}.gguf` });
    const ctx = await model.createContext({ contextSize: 128, threads: 2 });
    try {
      const toks = model.tokenize("the cat sat on the mat");
      assert.equal(model.detokenize(toks), "the cat sat on the mat", arch);
      const res = await new LlamaCompletion({ contextSequence: ctx.getSequence() }).generateCompletionWithMeta("the cat", { maxTokens: 3, temperature: 0 });
      assert.ok(res.metadata.stopReason === "maxTokens" || res.response.length > 0, `${arch}: ${res.metadata.stopReason}`);
    } finally {
      await ctx.dispose();
      await model.dispose();
    }
  }
});

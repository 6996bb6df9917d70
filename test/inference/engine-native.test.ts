import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createEngine, type InferenceEngine, type LoadedModel } from "../../src/inference/engine/engine.js";
import type { GenerationInput, GenerationResult, LoadSpec, SamplingSpec } from "../../src/inference/engine/engine-types.js";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { engineGreedyText } from "./engine-text.js";

/**
 * The native engine (llama.cpp's C API through koffi) on a real tiny GGUF: what a user of the pool would notice —
 * greedy text, continuous batching of parallel requests, stop strings, limits, cancellation, grammars, embeddings.
 */
const skip = tinyModelsUnavailable() ?? false;
let engine: InferenceEngine;
let model: LoadedModel;
let spec: LoadSpec;
const PROMPT = "the quick brown fox jumps over the lazy dog";
const greedy = (maxTokens: number, extra: Partial<SamplingSpec> = {}): SamplingSpec => ({ temperature: 0, maxTokens, stop: [], repeatPenalty: 1, ...extra });

async function gen(input: GenerationInput | string, sampling: SamplingSpec, signal = new AbortController().signal): Promise<{ text: string; tokens: number; result: GenerationResult }> {
  let text = "";
  let tokens = 0;
  const result = await model.generate(typeof input === "string" ? { kind: "completion", prompt: input } : input, sampling, (t, n) => ((text += t), (tokens += n)), signal);
  return { text, tokens, result };
}

before(async () => {
  if (skip) return;
  engine = await createEngine("native", { threads: 2, gpu: false });
  spec = { path: tinyModel({}), contextSize: 512, gpuLayers: 0, parallel: 4, threads: 2 };
  const loaded = await engine.load(spec);
  model = loaded.model;
  assert.equal(loaded.result.parallel, 4);
  assert.equal(loaded.result.contextSize, 512);
  assert.ok(loaded.result.memoryBytes > 0);
});

after(async () => {
  await model?.dispose();
  await engine?.dispose();
});

test("greedy text is deterministic and every token is reported (llama-server's text: engine-reference.test)", { skip }, async () => {
  const a = await gen(PROMPT, greedy(40));
  const b = await gen(PROMPT, greedy(40));
  assert.equal(a.result.generatedTokens, 40);
  assert.equal(a.tokens, 40, "tokens reported with the pieces add up");
  assert.equal(a.result.finishReason, "length");
  assert.equal(a.text, b.text);
  assert.ok(a.text.length > 0);
});

test("4 requests at once (continuous batching) each get the text they get alone; a 5th waits for no one but is refused as busy", { skip }, async () => {
  const prompts = ["one two three", "alpha beta", PROMPT, "hello world, this is"];
  const alone: string[] = [];
  for (const p of prompts) alone.push((await gen(p, greedy(24))).text);
  const together = prompts.map((p) => gen(p, greedy(24)));
  await assert.rejects(gen("x", greedy(2)), (e: unknown) => isCortexError(e) && e.code === "INF_BUSY");
  const texts = (await Promise.all(together)).map((r) => r.text);
  assert.deepEqual(texts, alone);
});

test("a request that shares a prefix with the last one reuses the cache and still gets its own greedy text", { skip }, async () => {
  const first = await gen(PROMPT, greedy(16));
  const again = await gen(PROMPT + first.text, greedy(8));
  const fresh = await engineGreedyTextNative(PROMPT + first.text, 8);
  assert.equal(again.text, fresh);
});

/** The same model in a second engine instance: no cache shared with `model`. */
async function engineGreedyTextNative(prompt: string, maxTokens: number): Promise<string> {
  const e = await createEngine("native", { threads: 1, gpu: false });
  try {
    return await engineGreedyText(e, { ...spec, parallel: 1, threads: 1 }, prompt, maxTokens);
  } finally {
    await e.dispose();
  }
}

test("a stop string ends the generation (finish stop_sequence) and is never emitted; max tokens ends with length", { skip }, async () => {
  const full = await gen(PROMPT, greedy(30));
  // A stop string that starts mid-way through the greedy text.
  const stop = full.text.slice(10, 14);
  const cut = full.text.indexOf(stop);
  const r = await gen(PROMPT, greedy(30, { stop: [stop] }));
  assert.equal(r.result.finishReason, "stop_sequence");
  assert.equal(r.text, full.text.slice(0, cut));
});

test("cancelling stops within a token or so (finish cancelled)", { skip }, async () => {
  const ac = new AbortController();
  let n = 0;
  const p = model.generate({ kind: "completion", prompt: PROMPT }, greedy(400), (_t, k) => {
    n += k;
    if (n >= 5) ac.abort();
  }, ac.signal);
  const r = await p;
  assert.equal(r.finishReason, "cancelled");
  assert.ok(r.generatedTokens <= 8, `generated ${r.generatedTokens}`);
});

test("a GBNF grammar constrains the output (and a broken one is refused); a JSON schema gives JSON that fits it", { skip }, async () => {
  const g = await gen(PROMPT, greedy(10, { grammar: 'root ::= ("yes" | "no") "!"' }));
  assert.match(g.text, /^(yes|no)!$/);
  assert.equal(g.result.finishReason, "stop");
  const sampled = await gen(PROMPT, { temperature: 1, seed: 7, maxTokens: 10, stop: [], grammar: 'root ::= [0-9] [0-9] [0-9]' });
  assert.match(sampled.text, /^[0-9]{3}$/);
  await assert.rejects(gen(PROMPT, greedy(4, { grammar: "root ::= (" })), (e: unknown) => isCortexError(e) && e.code === "REQ_INVALID_ARGUMENT");
  const j = await gen(PROMPT, greedy(20, { jsonSchema: JSON.stringify({ type: "string", enum: ["red", "green"] }) }));
  assert.ok(["red", "green"].includes(JSON.parse(j.text) as string), j.text);
});

test("sampling with a seed repeats; another seed differs", { skip }, async () => {
  const s = (seed: number) => gen(PROMPT, { temperature: 1.5, topK: 0, topP: 1, seed, maxTokens: 24, stop: [] });
  const [a, b, c] = [await s(1), await s(1), await s(2)];
  assert.equal(a.text, b.text);
  assert.notEqual(a.text, c.text);
});

test("a prompt longer than the context is refused before any decoding", { skip }, async () => {
  await assert.rejects(gen("word ".repeat(600), greedy(4)), (e: unknown) => isCortexError(e) && e.code === "REQ_INVALID_ARGUMENT" && /context of 512/.test(e.message));
});

test("a chat renders through the GGUF's template and answers", { skip }, async () => {
  const r = await gen({ kind: "chat", messages: [{ role: "user", content: "hi" }] }, greedy(12));
  assert.ok(r.result.promptTokens > 1);
  assert.ok(["stop", "length"].includes(r.result.finishReason));
});

test("embeddings: one finite vector of the model's width per input", { skip }, async () => {
  const r = await model.embed(["hello", "the lazy dog"]);
  assert.equal(r.vectors.length, 2);
  for (const v of r.vectors) {
    assert.equal(v.length, 64);
    assert.ok(v.every(Number.isFinite));
  }
  assert.notDeepEqual(r.vectors[0], r.vectors[1]);
  assert.ok(r.promptTokens >= 4);
});

test("a full context: with max_tokens the context shifts and generation goes on; with 0 (until done) it ends there", { skip }, async () => {
  const shifted = await gen(PROMPT, greedy(700));
  assert.equal(shifted.result.generatedTokens, 700);
  assert.equal(shifted.result.finishReason, "length");
  const untilDone = await gen(PROMPT, greedy(0));
  assert.equal(untilDone.result.finishReason, "length");
  // Every context cell filled; the last token is sampled from the last cell and never stored.
  assert.equal(untilDone.result.promptTokens + untilDone.result.generatedTokens - 1, 512);
});

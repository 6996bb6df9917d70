import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createEngine, type InferenceEngine, type LoadedModel } from "../../src/inference/engine/engine.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { LlamaServer, llamaServerBinary } from "../helpers/llama-server.js";

/**
 * The native engine against llama.cpp's own server built from the same commit, on the same GGUF: greedy text must
 * be identical, token for token — same tokenization (BOS, special tokens), same sampling, same stopping.
 */
const found = llamaServerBinary();
const skip = tinyModelsUnavailable() ?? ("skip" in found ? found.skip : false);
let server: LlamaServer;
let engine: InferenceEngine;
let model: LoadedModel;
const PROMPTS = ["the quick brown fox jumps over the lazy dog", "Once upon a time, in a land far away,", "1, 2, 3, 4,", "<s> special text and\nnew lines\t and tabs"];

before(async () => {
  if (skip || !("bin" in found)) return;
  const path = tinyModel({ hidden: 256, layers: 4, ff: 512 });
  server = await LlamaServer.start(found.bin, path, { threads: 1, contextSize: 512, parallel: 1 });
  engine = await createEngine("native", { threads: 1, gpu: false });
  model = (await engine.load({ path, contextSize: 512, gpuLayers: 0, parallel: 1, threads: 1 })).model;
});

after(async () => {
  await server?.stop();
  await model?.dispose();
  await engine?.dispose();
});

test("greedy text is llama-server's, token for token, for every prompt", { skip }, async () => {
  for (const prompt of PROMPTS) {
    const ref = await server.complete(prompt, 48);
    let text = "";
    const r = await model.generate({ kind: "completion", prompt }, { temperature: 0, maxTokens: 48, stop: [], repeatPenalty: 1 }, (t) => (text += t), new AbortController().signal);
    assert.equal(text, ref.content, `prompt ${JSON.stringify(prompt)}`);
    assert.equal(r.generatedTokens, ref.tokensPredicted);
  }
});

test("stop strings and a grammar end where llama-server ends", { skip }, async () => {
  const prompt = PROMPTS[0]!;
  const full = await server.complete(prompt, 32);
  const stop = full.content.slice(12, 15);
  const ref = await server.complete(prompt, 32, { stop: [stop] });
  let text = "";
  await model.generate({ kind: "completion", prompt }, { temperature: 0, maxTokens: 32, stop: [stop], repeatPenalty: 1 }, (t) => (text += t), new AbortController().signal);
  assert.equal(text, ref.content);
  const grammar = 'root ::= [a-z ]{3,20} "."';
  const gref = await server.complete(prompt, 32, { grammar });
  text = "";
  await model.generate({ kind: "completion", prompt }, { temperature: 0, maxTokens: 32, stop: [], repeatPenalty: 1, grammar }, (t) => (text += t), new AbortController().signal);
  assert.equal(text, gref.content);
});

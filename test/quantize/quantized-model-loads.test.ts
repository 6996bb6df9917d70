/**
 * What a user does next with a quantized file: load it in node-llama-cpp and generate. Each output of
 * llamaQuantizeFile must load, keep its tokenizer (text round-trips), and produce the requested tokens.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { getLlama, LlamaCompletion, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { llamaQuantizeFile } from "../../src/quantize/llama-quantize-file.js";
import { fileTempDir, llamaCppSource, makeLlamaGguf } from "./helpers.js";

const env = llamaCppSource();
const skip = "skip" in env ? env.skip : false;
if (skip) console.log(`# quantized-model load tests skipped: ${skip}`);
const tmp = fileTempDir("ggml-load");
let llama: Llama | undefined;
let input = "";
const llamaLog: string[] = [];

before(async () => {
  if (skip) return;
  input = makeLlamaGguf((env as { src: string }).src, path.join(tmp.dir, "f16.gguf"), { seed: 9 });
  // maxThreads 0 + explicit context threads: node-llama-cpp's default (≥ 4 threads) crawls on 2 cores.
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 0, logLevel: LlamaLogLevel.warn, logger: (_l, m) => llamaLog.push(m) });
});
after(async () => {
  await llama?.dispose();
  tmp.cleanup();
});

for (const type of ["Q4_K_M", "Q8_0", "Q2_K", "Q5_0"]) {
  test(`a ${type} file from llamaQuantizeFile loads in node-llama-cpp and generates`, { skip }, async () => {
    const out = path.join(tmp.dir, `m-${type}.gguf`);
    await llamaQuantizeFile(input, out, { type, threads: 2 });
    const model = await llama!.loadModel({ modelPath: out, gpuLayers: 0 }).catch((err: unknown) => {
      throw new Error(`${type} failed to load: ${String(err)}; llama.cpp: ${llamaLog.slice(-3).join(" | ")}`);
    });
    try {
      const text = "the cat sat";
      assert.equal(model.detokenize(model.tokenize(text)), text, "the tokenizer survived quantization");
      const context = await model.createContext({ contextSize: 128, threads: 1 });
      try {
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        let tokens = 0;
        const res = await completion.generateCompletionWithMeta("the cat", { maxTokens: 8, temperature: 0, onToken: (t) => (tokens += t.length) });
        // onToken batches byte-fallback tokens until they form valid UTF-8, so count loosely; the stop reason says
        // all 8 were generated.
        assert.equal(res.metadata.stopReason, "maxTokens", `${type}: stopped by ${res.metadata.stopReason} after ${tokens} tokens`);
        assert.ok(tokens >= 6 && tokens <= 10, `${type}: ${tokens} tokens reported`);
      } finally {
        await context.dispose();
      }
    } finally {
      await model.dispose();
    }
  });
}

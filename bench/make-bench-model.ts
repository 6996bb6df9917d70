import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { convertHfToGguf } from "../src/convert/convert-hf-to-gguf.js";
import { makeHfCheckpoint } from "../test/fixtures/make-hf-checkpoint.js";

/**
 * `node dist/bench/make-bench-model.js` prints the path of a ~0.9 GB Q8_0 llama GGUF (hidden 2048 × 16 layers,
 * 32k vocab, random weights), made once into the temp folder: the "~1 GB model" of the inference benchmarks
 * (BENCH_MODEL=$(node dist/bench/make-bench-model.js) node dist/bench/run.js inference-tokens).
 */
const out = path.join(os.tmpdir(), "cortexd-bench-llama-850m-Q8_0.gguf");
if (!fs.existsSync(out)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-ckpt-"));
  try {
    await makeHfCheckpoint(dir, { hiddenSize: 2048, intermediateSize: 5632, numLayers: 16, numHeads: 16, numKvHeads: 4, vocabSize: 32000, dtype: "bf16" });
    await convertHfToGguf({ sourceDir: dir, outPath: out, outtype: "q8_0" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`${out}\n`);

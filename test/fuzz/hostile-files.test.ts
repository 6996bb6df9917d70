/**
 * #20 items 6 and 11: hostile files inside a model folder. A FIFO as config.json or tokenizer.json blocked the
 * conversions queue forever (the open waited for a writer); a 200 MB tokenizer.json was read whole with no limit
 * and pinned a worker at 1.9 GB. Both must fail at once, typed (FMT_INVALID naming the file).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { convertToMlx } from "../../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../helpers/temp-dir.js";
import { assertCortexRejects } from "../mlx/helpers.js";

const SMALL = { numLayers: 1, hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1, vocabSize: 300, dtype: "bf16" } as const;

/** Fails the test instead of hanging it: the bug was a wait without end. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms (the read blocks)`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function fifoInstead(file: string): void {
  fs.rmSync(file);
  execFileSync("mkfifo", [file]);
}

for (const name of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
  test(`a FIFO as ${name} fails the GGUF conversion at once with FMT_INVALID naming it`, async (t) => {
    const dir = tempDir(t, "fifo");
    const fx = await makeHfCheckpoint(path.join(dir, "src"), SMALL);
    fifoInstead(path.join(fx.dir, name));
    await within(10_000, assertCortexRejects(convertHfToGguf({ sourceDir: fx.dir, outPath: path.join(dir, "out.gguf") }), "FMT_INVALID", name, "FIFO"));
    fs.rmSync(path.join(fx.dir, name));
  });
}

test("a FIFO as config.json fails the MLX conversion at once", async (t) => {
  const dir = tempDir(t, "fifo");
  const fx = await makeHfCheckpoint(path.join(dir, "src"), SMALL);
  fifoInstead(path.join(fx.dir, "config.json"));
  const pool = QuantizePool.create({ threads: 1 });
  t.after(() => pool.close());
  await within(10_000, assertCortexRejects(convertToMlx(fx.dir, () => path.join(dir, "out"), { quantize: false, bits: 4, groupSize: 64, recipe: "", pool }), "FMT_INVALID", "config.json", "FIFO"));
});

test("a 200 MB tokenizer.json is refused by size before it is read (FMT_INVALID naming the limit)", async (t) => {
  const dir = tempDir(t, "big");
  const fx = await makeHfCheckpoint(path.join(dir, "src"), SMALL);
  fs.truncateSync(path.join(fx.dir, "tokenizer.json"), 200 << 20); // sparse: costs no disk
  const rssBefore = process.memoryUsage().rss;
  await within(10_000, assertCortexRejects(convertHfToGguf({ sourceDir: fx.dir, outPath: path.join(dir, "out.gguf") }), "FMT_INVALID", "tokenizer.json", "limit"));
  const grew = process.memoryUsage().rss - rssBefore;
  if (grew > 100 << 20) throw new Error(`RSS grew by ${grew >> 20} MiB while refusing the file`);
});

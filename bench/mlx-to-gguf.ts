import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { convertMlxToGguf } from "../src/convert/convert-mlx-to-gguf.js";
import { convertToMlx } from "../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../src/mlx/quantize-pool.js";
import { makeHfCheckpoint } from "../test/fixtures/make-hf-checkpoint.js";
import type { Benchmark } from "./harness.js";
import { plainCopy } from "./mlx-convert.js";

/**
 * MLX 4-bit → GGUF Q4_1 (the bit-exact repack, one thread) of a llama-shaped model (~390 MB as bf16, ~120 MB as
 * MLX 4-bit), against a plain copy of the same MLX files on the same disk: MB/s of MLX source bytes.
 */
export const mlxToGguf: Benchmark = {
  name: "mlx-to-gguf",
  description: "MLX 4-bit (group 64) → GGUF Q4_1, bit-exact repack, vs a plain copy of the same MLX bytes: MB/s of source",
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cx-m2g-"));
    const fx = await makeHfCheckpoint(path.join(dir, "hf"), { hiddenSize: 1024, intermediateSize: 4096, numLayers: 8, numHeads: 8, numKvHeads: 8, vocabSize: 32000 });
    const pool = QuantizePool.create({ threads: 2 });
    const mlx = path.join(dir, "mlx");
    await convertToMlx(fx.dir, () => mlx, { quantize: true, bits: 4, groupSize: 64, recipe: "", pool });
    await pool.close();
    fs.rmSync(fx.dir, { recursive: true, force: true });
    const bytes = fs.readdirSync(mlx).reduce((s, f) => s + fs.statSync(path.join(mlx, f)).size, 0);
    let n = 0;
    let exact = "";
    return {
      unit: "MB/s",
      cortexd: {
        label: "convertMlxToGguf (auto)",
        run: async () => {
          const out = path.join(dir, `out-${n++}.gguf`);
          const t0 = performance.now();
          const r = await convertMlxToGguf({ sourceDir: mlx, outPath: out });
          const seconds = (performance.now() - t0) / 1000;
          exact = `${r.mlx.bitExact.exact} of ${r.mlx.bitExact.quantized}`;
          fs.rmSync(out, { force: true });
          return bytes / 1e6 / seconds;
        },
      },
      reference: {
        label: "copyFile + fsync",
        run: async () => {
          const out = path.join(dir, `copy-${n++}`);
          const t0 = performance.now();
          await plainCopy(mlx, out);
          const seconds = (performance.now() - t0) / 1000;
          fs.rmSync(out, { recursive: true, force: true });
          return bytes / 1e6 / seconds;
        },
      },
      async teardown() {
        console.log(`  MLX source ${(bytes / 1e6).toFixed(0)} MB; bit-exact: ${exact} quantized tensors`);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

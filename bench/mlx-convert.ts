import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeHfCheckpoint } from "../test/fixtures/make-hf-checkpoint.js";
import type { Benchmark } from "./harness.js";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "mlx-convert-child.js");
const THREADS = Number(process.env.CORTEX_BENCH_THREADS) || 2;

/** Copy every file of `src` into `dst` and fsync each (what the converter does to its own output). */
export async function plainCopy(src: string, dst: string): Promise<void> {
  fs.mkdirSync(dst);
  for (const f of fs.readdirSync(src)) {
    await fs.promises.copyFile(path.join(src, f), path.join(dst, f));
    const fh = await fs.promises.open(path.join(dst, f), "r+");
    await fh.sync();
    await fh.close();
  }
}

/**
 * 4-bit MLX conversion throughput (MB/s of source bytes) of a ~390 MB bf16 llama-shaped checkpoint, in a child
 * process with THREADS quantize workers, against a plain copy of the same files on the same disk.
 */
export const mlxConvert: Benchmark = {
  name: "mlx-convert",
  description: `MLX 4-bit conversion (group 64, bf16, ${THREADS} worker threads) vs a plain copy of the same bytes: MB/s of source`,
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cx-mlxb-"));
    const fx = await makeHfCheckpoint(path.join(dir, "src"), { hiddenSize: 1024, intermediateSize: 4096, numLayers: 8, numHeads: 8, numKvHeads: 8, vocabSize: 32000 });
    const bytes = fs.readdirSync(fx.dir).reduce((s, f) => s + fs.statSync(path.join(fx.dir, f)).size, 0);
    let n = 0;
    let peakRss = 0;
    const fresh = () => path.join(dir, `out-${n++}`);
    return {
      unit: "MB/s",
      cortexd: {
        label: "convertToMlx (child process)",
        run: async () => {
          const out = fresh();
          const { stdout } = await promisify(execFile)(process.execPath, [CHILD, fx.dir, out, String(THREADS)]);
          const r = JSON.parse(stdout) as { seconds: number; maxRssBytes: number };
          peakRss = Math.max(peakRss, r.maxRssBytes);
          fs.rmSync(out, { recursive: true, force: true });
          return bytes / 1e6 / r.seconds;
        },
      },
      reference: {
        label: "copyFile + fsync",
        run: async () => {
          const out = fresh();
          const t0 = performance.now();
          await plainCopy(fx.dir, out);
          const seconds = (performance.now() - t0) / 1000;
          fs.rmSync(out, { recursive: true, force: true });
          return bytes / 1e6 / seconds;
        },
      },
      async teardown() {
        const largest = Math.max(...fx.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1) * 2));
        console.log(`  source ${(bytes / 1e6).toFixed(0)} MB; converter peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (largest tensor ${(largest / 2 ** 20).toFixed(0)} MiB)`);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

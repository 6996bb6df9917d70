/**
 * One MLX 4-bit conversion in its own process, so its peak RSS is its own: prints
 * {"seconds", "maxRssBytes", "sourceBytes"} as JSON. Used by bench/mlx-convert.ts.
 */
import { convertToMlx } from "../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../src/mlx/quantize-pool.js";

const [src, out, threads] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: mlx-convert-child <src> <out> [threads]");
const pool = QuantizePool.create({ threads: Number(threads) || 2 });
if (process.env.CORTEX_BENCH_WARM_POOL !== "0") {
  // A running daemon keeps its quantize threads between jobs: measure with them started (one tiny job each).
  const n = 8 * (Number(threads) || 2);
  await pool.quantize(new Float32Array(n * 64).fill(1), n, 64, { bits: 4, groupSize: 64 });
}
const t0 = performance.now();
const r = await convertToMlx(src, () => out, { quantize: true, bits: 4, groupSize: 64, recipe: "", pool });
const seconds = (performance.now() - t0) / 1000;
await pool.close();
if (r.status !== "converted") throw new Error("not converted");
process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\n");

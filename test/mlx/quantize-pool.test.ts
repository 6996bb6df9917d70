import assert from "node:assert/strict";
import { test } from "node:test";
import { affineQuantize, type AffineQuantized } from "../../src/mlx/affine-quantize.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { assertCortexRejects, assertCortexThrows, normalMatrix } from "./helpers.js";

function sameBits(a: AffineQuantized, b: AffineQuantized): void {
  assert.deepEqual(Buffer.from(a.weight.buffer, a.weight.byteOffset, a.weight.byteLength), Buffer.from(b.weight.buffer, b.weight.byteOffset, b.weight.byteLength));
  assert.deepEqual(Buffer.from(a.scales.buffer), Buffer.from(b.scales.buffer));
  assert.deepEqual(Buffer.from(a.biases.buffer), Buffer.from(b.biases.buffer));
  assert.deepEqual([a.rows, a.cols, a.bits, a.groupSize, a.dtype], [b.rows, b.cols, b.bits, b.groupSize, b.dtype]);
}

test("pool output is bit-identical to the single-thread quantizer (many blocks, all widths)", async (t) => {
  const pool = QuantizePool.create({ threads: 2, maxBlockElements: 3 * 384 });
  t.after(() => pool.close());
  const rows = 37;
  const cols = 384;
  const w = normalMatrix(rows * cols, 7);
  for (let j = 0; j < cols; j++) w[5 * cols + j] = -Math.abs(w[5 * cols + j]!); // an all-negative row
  const copy = Float32Array.from(w);
  for (const bits of [2, 3, 4, 5, 6, 8]) {
    for (const dtype of ["float32", "bfloat16"] as const) {
      const opts = { bits, groupSize: 64, dtype };
      sameBits(await pool.quantize(w, rows, cols, opts), affineQuantize(w, rows, cols, opts));
    }
  }
  assert.deepEqual(w, copy, "input untouched");
  // Concurrent calls share the workers.
  const [a, b] = await Promise.all([pool.quantize(w, rows, cols, { bits: 4, groupSize: 32 }), pool.quantize(w, rows, cols, { bits: 3, groupSize: 128 })]);
  sameBits(a, affineQuantize(w, rows, cols, { bits: 4, groupSize: 32 }));
  sameBits(b, affineQuantize(w, rows, cols, { bits: 3, groupSize: 128 }));
});

test("SharedArrayBuffer input is read in place", async (t) => {
  const pool = QuantizePool.create({ threads: 2 });
  t.after(() => pool.close());
  const w = new Float32Array(new SharedArrayBuffer(16 * 128 * 4));
  w.set(normalMatrix(16 * 128, 11));
  sameBits(await pool.quantize(w, 16, 128, { bits: 5, groupSize: 128 }), affineQuantize(w, 16, 128, { bits: 5, groupSize: 128 }));
  const empty = await pool.quantize(new Float32Array(0), 0, 64, { bits: 4, groupSize: 64 });
  assert.equal(empty.weight.length, 0);
});

test("errors: bad parameters, NaN in a later block (absolute row), cancel, closed pool", async (t) => {
  const pool = QuantizePool.create({ threads: 2, maxBlockElements: 4 * 64 });
  t.after(() => pool.close());
  const w = normalMatrix(20 * 64, 3);
  await assertCortexRejects(pool.quantize(w, 20, 64, { bits: 7, groupSize: 64 }), "FMT_UNSUPPORTED", "bits 7");
  await assertCortexRejects(pool.quantize(w, 10, 192, { bits: 4, groupSize: 64 }), "REQ_INVALID_ARGUMENT", "1280 values", "[10, 192]");
  w[13 * 64 + 9] = NaN;
  await assertCortexRejects(pool.quantize(w, 20, 64, { bits: 4, groupSize: 64, name: "model.layers.3.mlp.up_proj.weight" }), "REQ_INVALID_ARGUMENT", "up_proj", "row 13, column 9");
  w[13 * 64 + 9] = 0;
  // The pool still works after a failed job.
  sameBits(await pool.quantize(w, 20, 64, { bits: 4, groupSize: 64 }), affineQuantize(w, 20, 64, { bits: 4, groupSize: 64 }));

  const pre = new AbortController();
  pre.abort();
  await assertCortexRejects(pool.quantize(w, 20, 64, { bits: 4, groupSize: 64 }, pre.signal), "JOB_CANCELLED", "weight");
  const ac = new AbortController();
  const p = pool.quantize(w, 20, 64, { bits: 4, groupSize: 64, name: "lm_head.weight" }, ac.signal);
  ac.abort();
  await assertCortexRejects(p, "JOB_CANCELLED", "lm_head.weight");

  await pool.close();
  await assertCortexRejects(pool.quantize(w, 20, 64, { bits: 4, groupSize: 64 }), "QUANT_FAILED", "closed");
  assertCortexThrows(() => QuantizePool.create({ threads: 0 }), "REQ_INVALID_ARGUMENT", "threads", "0");
  assertCortexThrows(() => QuantizePool.create({ maxBlockElements: 1.5 }), "REQ_INVALID_ARGUMENT", "maxBlockElements", "1.5");
});

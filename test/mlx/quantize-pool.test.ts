import assert from "node:assert/strict";
import { test } from "node:test";
import { affineQuantize, type AffineQuantized } from "../../src/mlx/affine-quantize.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { castToDtype, encodeDtype, type ModelDtype } from "../../src/mlx/float-convert.js";
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

/** `values` (already in `dtype`) stored after a 24-byte prefix in a temp file, as a checkpoint would hold them. */
function tensorFile(t: { after: (fn: () => void) => void }, values: Float32Array, dtype: ModelDtype): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cx-qpool-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "t.bin");
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(24, 0xee), encodeDtype(values, dtype)]));
  return file;
}

test("file and raw-byte inputs: workers read and convert BF16/F16/F32 rows themselves, bit-identical to affineQuantize", async (t) => {
  const pool = QuantizePool.create({ threads: 2, maxBlockElements: 5 * 256 });
  t.after(() => pool.close());
  const rows = 23;
  const cols = 256;
  const base = normalMatrix(rows * cols, 21);
  for (let j = 0; j < cols; j++) base[4 * cols + j] = 0.25; // a constant row
  for (const [src, tag] of [["bfloat16", "BF16"], ["float16", "F16"], ["float32", "F32"]] as const) {
    const values = castToDtype(base, src);
    const file = tensorFile(t, values, src);
    for (const dtype of ["bfloat16", "float16", "float32"] as const) {
      for (const bits of [4, 8, 3]) {
        const opts = { bits, groupSize: 64, dtype };
        const want = affineQuantize(values, rows, cols, opts);
        const fromFile = await pool.quantizeFile({ file, offset: 24, dtype: tag }, rows, cols, opts);
        sameBits(fromFile, want);
        assert.ok(Buffer.from(fromFile.encoded!.scales).equals(Buffer.from(encodeDtype(want.scales, dtype))), `${tag} → ${dtype}: encoded scales`);
        assert.ok(Buffer.from(fromFile.encoded!.biases).equals(Buffer.from(encodeDtype(want.biases, dtype))), `${tag} → ${dtype}: encoded biases`);
        sameBits(await pool.quantizeBytes({ bytes: encodeDtype(values, src), dtype: tag }, rows, cols, opts), want);
      }
    }
  }
});

test("file input errors: NaN names tensor, absolute row and column; a short file is FMT_INVALID; the pool survives", async (t) => {
  const pool = QuantizePool.create({ threads: 2, maxBlockElements: 4 * 128 });
  t.after(() => pool.close());
  const w = castToDtype(normalMatrix(20 * 128, 8), "bfloat16");
  w[17 * 128 + 100] = Number.NaN;
  const file = tensorFile(t, w, "bfloat16");
  const opts = { bits: 4, groupSize: 64, dtype: "bfloat16" as const, name: "model.layers.1.mlp.down_proj.weight" };
  await assertCortexRejects(pool.quantizeFile({ file, offset: 24, dtype: "BF16" }, 20, 128, opts), "REQ_INVALID_ARGUMENT", "down_proj", "row 17, column 100");
  await assertCortexRejects(pool.quantizeFile({ file: file + ".missing", offset: 0, dtype: "BF16" }, 20, 128, opts), "QUANT_FAILED", "ENOENT");
  w[17 * 128 + 100] = 0;
  const good = tensorFile(t, w, "bfloat16");
  await assertCortexRejects(pool.quantizeFile({ file: good, offset: 24, dtype: "BF16" }, 21, 128, opts), "FMT_INVALID", good, "truncated");
  sameBits(await pool.quantizeFile({ file: good, offset: 24, dtype: "BF16" }, 20, 128, opts), affineQuantize(w, 20, 128, opts));
});

test("the shared pool is one per thread count, serves job after job, and is replaced once closed", async () => {
  const a = QuantizePool.shared({ threads: 2 });
  assert.equal(QuantizePool.shared({ threads: 2 }), a, "the same pool for the same thread count");
  assert.notEqual(QuantizePool.shared({ threads: 1 }), a);
  const w = normalMatrix(16 * 128, 3);
  const opts = { bits: 4, groupSize: 64, dtype: "float32" as const };
  for (let job = 0; job < 3; job++) sameBits(await a.quantize(w, 16, 128, opts), affineQuantize(w, 16, 128, opts));
  await a.close();
  const b = QuantizePool.shared({ threads: 2 });
  assert.notEqual(b, a, "a closed pool is not handed out again");
  sameBits(await b.quantize(w, 16, 128, opts), affineQuantize(w, 16, 128, opts));
  await b.close();
  await QuantizePool.shared({ threads: 1 }).close();
});

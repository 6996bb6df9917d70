import assert from "node:assert/strict";
import { test } from "node:test";
import { affineKernelAvailable } from "../../src/mlx/affine-kernel.js";
import { affineQuantize, affineQuantizeBytes, affineQuantizeJs, AFFINE_BITS, AFFINE_GROUP_SIZES, type AffineQuantized } from "../../src/mlx/affine-quantize.js";
import { castToDtype, encodeDtype, MODEL_DTYPES } from "../../src/mlx/float-convert.js";
import { assertCortexThrows, normalMatrix, rng } from "./helpers.js";

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function sameBits(a: AffineQuantized, b: AffineQuantized, what: string): void {
  assert.ok(bytesOf(a.weight).equals(bytesOf(b.weight)), `${what}: weight`);
  assert.ok(bytesOf(a.scales).equals(bytesOf(b.scales)), `${what}: scales`);
  assert.ok(bytesOf(a.biases).equals(bytesOf(b.biases)), `${what}: biases`);
}

/** Rows that stress the arithmetic: normal data, round-number ties, constant, all-zero, all-negative, tiny ranges. */
function stressMatrix(rows: number, cols: number, seed: number): Float32Array {
  const r = rng(seed);
  const w = normalMatrix(rows * cols, seed);
  for (let row = 0; row < rows; row++) {
    const kind = row % 8;
    for (let j = 0; j < cols; j++) {
      const i = row * cols + j;
      if (kind === 1) w[i] = Math.round(r() * 32 - 16) / 2; // halves: ties in q0 and in the codes
      else if (kind === 2) w[i] = 0.375; // constant
      else if (kind === 3) w[i] = j % 3 === 0 ? -0 : 0; // zeros of both signs
      else if (kind === 4) w[i] = -Math.abs(w[i]!); // all negative
      else if (kind === 5) w[i] = 1 + (j % 2) * 1e-7; // range below 1e-7 · n_bins
      else if (kind === 6) w[i] = (j % 16) - 8; // integer grid: exact half-steps after scaling
      else if (kind === 7) w[i] = w[i]! * 1e4;
    }
  }
  return w;
}

test("the WebAssembly kernel is available on this Node (the fast path is what runs)", () => {
  assert.ok(affineKernelAvailable());
});

test("kernel and JS loop give identical bytes for every bits × group size × dtype (ties, constant groups)", () => {
  for (const groupSize of AFFINE_GROUP_SIZES) {
    const rows = 40;
    const cols = groupSize * 5;
    const w = stressMatrix(rows, cols, groupSize);
    for (const bits of AFFINE_BITS) {
      for (const dtype of MODEL_DTYPES) {
        const opts = { bits, groupSize, dtype };
        sameBits(affineQuantize(w, rows, cols, opts), affineQuantizeJs(w, rows, cols, opts), `${bits}-bit, group ${groupSize}, ${dtype}`);
      }
    }
  }
});

test("kernel matches the JS loop across chunk boundaries (large matrix)", () => {
  const rows = 600;
  const cols = 1024;
  const w = stressMatrix(rows, cols, 99);
  for (const bits of [4, 8, 3]) {
    const opts = { bits, groupSize: 64, dtype: "bfloat16" as const };
    sameBits(affineQuantize(w, rows, cols, opts), affineQuantizeJs(w, rows, cols, opts), `${bits}-bit`);
  }
});

test("raw bytes (BF16, F16, F32) quantize as their f32 values do", () => {
  const rows = 24;
  const cols = 256;
  const f32 = stressMatrix(rows, cols, 5);
  for (const [src, srcDtype] of [["bfloat16", "BF16"], ["float16", "F16"], ["float32", "F32"]] as const) {
    const values = castToDtype(f32, src);
    const raw = encodeDtype(values, src);
    for (const dtype of MODEL_DTYPES) {
      for (const bits of [4, 8, 6]) {
        const opts = { bits, groupSize: 64, dtype };
        sameBits(affineQuantizeBytes(raw, srcDtype, rows, cols, opts), affineQuantizeJs(values, rows, cols, opts), `${srcDtype} → ${dtype}, ${bits}-bit`);
      }
    }
  }
});

test("non-finite input through the kernel path still names the tensor, row and column", () => {
  const w = normalMatrix(8 * 128, 3);
  w[5 * 128 + 70] = Number.NaN;
  assertCortexThrows(() => affineQuantize(w, 8, 128, { bits: 4, groupSize: 64, name: "x.weight" }), "REQ_INVALID_ARGUMENT", "x.weight", "row 5, column 70");
  const raw = encodeDtype(w, "bfloat16");
  assertCortexThrows(() => affineQuantizeBytes(raw, "BF16", 8, 128, { bits: 4, groupSize: 64, dtype: "bfloat16" }), "REQ_INVALID_ARGUMENT", "row 5, column 70");
  const inf = encodeDtype(Float32Array.from(w, (v) => (Number.isNaN(v) ? Infinity : v)), "bfloat16");
  assertCortexThrows(() => affineQuantizeBytes(inf, "BF16", 8, 128, { bits: 4, groupSize: 64, dtype: "bfloat16" }), "REQ_INVALID_ARGUMENT", "row 5, column 70");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { AFFINE_BITS, AFFINE_GROUP_SIZES, affineDequantize, affineQuantize, type AffineQuantized } from "../../src/mlx/affine-quantize.js";
import { castToDtype, roundToDtype } from "../../src/mlx/float-convert.js";
import { packBits, unpackBits } from "../../src/mlx/pack-bits.js";
import { assertCortexThrows, normalMatrix } from "./helpers.js";

const f32 = Math.fround;

/** One group of 32 from a prefix of values, the rest filled with `fill`. */
function group(prefix: number[], fill = 0, size = 32): Float32Array {
  const g = new Float32Array(size).fill(fill);
  g.set(prefix);
  return g;
}

function codesOf(q: AffineQuantized): number[] {
  return [...unpackBits(q.weight, q.bits, q.rows * q.cols)];
}

// Golden cases, worked by hand from MLX's GPU kernel formulas (formats.md §2.2):
// scale0 = (max(0, max) − min)/n_bins; negated unless |min| > |max|; edge = the larger-magnitude extreme;
// q0 = round_half_away(edge/scale); scale = edge/q0, bias = edge; q = min(round_half_away((w − bias)/scale), n_bins).

test("golden: min dominates, scale 1: codes are w + 8 and ties round half away from zero", () => {
  // 4-bit: min −8, max 7 → scale0 = 15/15 = 1, side = true, edge = −8, q0 = −8, scale = 1, bias = −8.
  const w = group([-8, 7, 0.5, 2.5, -7.5, 1.5, 3]);
  const q = affineQuantize(w, 1, 32, { bits: 4, groupSize: 32 });
  assert.equal(q.scales[0], 1);
  assert.equal(q.biases[0], -8);
  // 8.5 → 9 and 10.5 → 11 and 0.5 → 1 (half-to-even would give 8, 10, 0); 9.5 → 10 either way.
  assert.deepEqual(codesOf(q).slice(0, 8), [0, 15, 9, 11, 1, 10, 11, 8]);
  assert.ok(codesOf(q).slice(7).every((c) => c === 8), "zeros sit at code 8 = −q0");
  const d = affineDequantize(q);
  assert.equal(d[7], 0, "0 is exact");
  assert.equal(d[0], -8);
  assert.equal(d[1], 7);
});

test("golden: q0 tie (−10.5 → −11) and the clamp at n_bins", () => {
  // 4-bit: min −21, max 9 → scale0 = 30/15 = 2, edge/scale0 = −10.5 exactly → q0 = −11 (half-even: −10),
  // scale = −21/−11, bias = −21. w = 9 → 30/scale = 15.71 → 16 → clamped to 15.
  const w = group([-21, 9, 0, 0.5]);
  const q = affineQuantize(w, 1, 32, { bits: 4, groupSize: 32 });
  assert.equal(q.scales[0], f32(21 / 11));
  assert.equal(q.biases[0], -21);
  assert.deepEqual(codesOf(q).slice(0, 4), [0, 15, 11, 11]);
  // The clamped element is off by more than scale/2 but within |scale| (MLX's own invariant).
  const err = Math.abs(affineDequantize(q)[1]! - 9);
  assert.ok(err > q.scales[0]! / 2 && err <= q.scales[0]!, `error ${err}`);
});

test("golden: max dominates → negative scale, bias = max", () => {
  // 4-bit: min −1, max 14 → scale0 = 1, |−1| > 14 false → scale = −1, edge = 14, q0 = −14, scale = −1, bias = 14.
  const w = group([-1, 14, 13.5, 0, 6.5]);
  const q = affineQuantize(w, 1, 32, { bits: 4, groupSize: 32 });
  assert.equal(q.scales[0], -1);
  assert.equal(q.biases[0], 14);
  // 13.5 → 0.5 → 1 and 6.5 → 7.5 → 8 (half-even would give 0 and 8).
  assert.deepEqual(codesOf(q).slice(0, 5), [15, 0, 1, 14, 8]);
});

test("golden: all-negative group uses [min, 0] (GPU), leaving code 15 for 0", () => {
  // max starts at 0 → range 15, scale 1, edge −15, q0 −15, bias −15. The CPU backend would use [−15, −1].
  const w = group([-15, -1, -2, -8.5], -3);
  const q = affineQuantize(w, 1, 32, { bits: 4, groupSize: 32 });
  assert.equal(q.scales[0], 1);
  assert.equal(q.biases[0], -15);
  const codes = codesOf(q);
  assert.deepEqual(codes.slice(0, 4), [0, 14, 13, 7]); // −8.5 → 6.5 → 7 (half away)
  assert.ok(codes.slice(4).every((c) => c === 12));
  assert.equal(Math.max(...codes), 14);
});

test("golden: all-positive group, 2-bit: min is the true minimum", () => {
  // min 4, max 7 → scale0 = 1, side false → scale −1, edge 7, q0 −7, scale −1, bias 7; q = 7 − w.
  const w = group([4, 7, 5, 6], 4);
  const q = affineQuantize(w, 1, 32, { bits: 2, groupSize: 32 });
  assert.equal(q.scales[0], -1);
  assert.equal(q.biases[0], 7);
  assert.deepEqual(codesOf(q).slice(0, 5), [3, 0, 2, 1, 3]);
  assert.deepEqual([...affineDequantize(q)], [...w]);
});

test("golden: constant groups are exact (bias = c, all codes 0, scale ≈ ∓1e-7 or the [c, 0] range)", () => {
  // c = 3: range 0 → scale0 = eps; side false → −eps; q0 = round(3/−eps) = −3e7 (f32); scale = 3/−3e7 = −f32(1e-7).
  const pos = affineQuantize(new Float32Array(64).fill(3), 1, 64, { bits: 4, groupSize: 64 });
  assert.equal(pos.scales[0], -f32(1e-7));
  assert.equal(pos.biases[0], 3);
  assert.ok(codesOf(pos).every((c) => c === 0));
  assert.ok(affineDequantize(pos).every((v) => v === 3));
  // c = −3: max starts at 0 → range 3, scale0 = f32(0.2), q0 = −15, scale = f32(0.2), bias = −3.
  const neg = affineQuantize(new Float32Array(64).fill(-3), 1, 64, { bits: 4, groupSize: 64 });
  assert.equal(neg.scales[0], f32(0.2));
  assert.equal(neg.biases[0], -3);
  assert.ok(codesOf(neg).every((c) => c === 0));
  assert.ok(affineDequantize(neg).every((v) => v === -3));
});

test("golden: all-zero group → scale −1e-7, bias 0, dequantizes to exactly 0", () => {
  for (const bits of AFFINE_BITS) {
    const q = affineQuantize(new Float32Array(256), 2, 128, { bits, groupSize: 32 });
    assert.ok(q.scales.every((s) => s === -f32(1e-7)), `${bits}-bit scales`);
    assert.ok(q.biases.every((b) => b === 0));
    assert.ok(q.weight.every((w) => w === 0));
    assert.ok(affineDequantize(q).every((v) => Object.is(v, 0) || v === 0));
  }
});

test("golden: 3-, 5- and 6-bit groups end to end (codes and packed words)", () => {
  // 3-bit: w = −4 + (i mod 8) → scale 1, bias −4, codes i mod 8 → the 3-bit words of pack-bits.test.ts.
  const w3 = Float32Array.from({ length: 32 }, (_, i) => -4 + (i % 8));
  const q3 = affineQuantize(w3, 1, 32, { bits: 3, groupSize: 32 });
  assert.deepEqual([q3.scales[0], q3.biases[0]], [1, -4]);
  assert.deepEqual([...q3.weight], [0x88fac688, 0xc688fac6, 0xfac688fa]);
  // 5-bit: w = −16 + i → range 31 → scale 1, bias −16, codes 0..31.
  const w5 = Float32Array.from({ length: 32 }, (_, i) => -16 + i);
  const q5 = affineQuantize(w5, 1, 32, { bits: 5, groupSize: 32 });
  assert.deepEqual([q5.scales[0], q5.biases[0]], [1, -16]);
  assert.deepEqual([...q5.weight], [0x8a418820, 0xc5a92839, 0xca307b9a, 0x38bdab49, 0xffbbcdeb]);
  // 6-bit: extremes −32 and 31 → scale 1, bias −32, codes w + 32.
  const w6 = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? -32 : i === 1 ? 31 : i - 16));
  const q6 = affineQuantize(w6, 1, 32, { bits: 6, groupSize: 32 });
  assert.deepEqual([q6.scales[0], q6.biases[0]], [1, -32]);
  const expected = [...w6].map((v) => v + 32);
  assert.deepEqual(codesOf(q6), expected);
  assert.deepEqual([...q6.weight], [...packBits(expected, 6)]);
});

test("groups are per row and per column block; layout [rows, cols/group]", () => {
  // Row 0: group 0 is the scale-1 case, group 1 the negative-scale case; row 1 the reverse.
  const a = group([-8, 7]);
  const b = group([-1, 14]);
  const w = new Float32Array(128);
  w.set(a, 0);
  w.set(b, 32);
  w.set(b, 64);
  w.set(a, 96);
  const q = affineQuantize(w, 2, 64, { bits: 4, groupSize: 32 });
  assert.deepEqual([...q.scales], [1, -1, -1, 1]);
  assert.deepEqual([...q.biases], [-8, 14, 14, -8]);
  assert.equal(q.weight.length, 2 * 8);
});

test("dtype: inputs are cast first and scales/biases stored rounded (f16, bf16)", () => {
  const c = new Float32Array(32).fill(3);
  const h = affineQuantize(c, 1, 32, { bits: 4, groupSize: 32, dtype: "float16" });
  // −1e-7 in binary16 is the subnormal 2·2^−24.
  assert.equal(h.scales[0], -2 * 2 ** -24);
  const b = affineQuantize(c, 1, 32, { bits: 4, groupSize: 32, dtype: "bfloat16" });
  // −1e-7 in bfloat16: 1.6777… × 2^−24 → 215/128 × 2^−24.
  assert.equal(b.scales[0], -(215 / 128) * 2 ** -24);
  // 1.0001 is 1 in float16, so this group is constant there.
  const near = affineQuantize(group([1.0001], 1), 1, 32, { bits: 4, groupSize: 32, dtype: "float16" });
  assert.equal(near.biases[0], 1);
  assert.ok(codesOf(near).every((v) => v === 0));
  // Codes use the unrounded f32 scale: with f32 storage the scale is 21/11 in f32, rounded only when stored.
  const tie = affineQuantize(group([-21, 9]), 1, 32, { bits: 4, groupSize: 32, dtype: "bfloat16" });
  assert.equal(tie.scales[0], roundToDtype(21 / 11, "bfloat16"));
  assert.deepEqual(codesOf(tie).slice(0, 3), [0, 15, 11]);
});

/**
 * For every element: |w − ŵ| ≤ |scale|/2 where the code was not clamped at n_bins, and ≤ |scale| always
 * (MLX's test_quantize_dequantize invariant), plus the error the stored (rounded) scale/bias add and f32 slack.
 */
function checkBounds(w: Float32Array, rows: number, cols: number, bits: number, groupSize: number, dtype: "float32" | "float16" | "bfloat16") {
  const q = affineQuantize(w, rows, cols, { bits, groupSize, dtype });
  // Same inputs cast to dtype, but scale/bias left in f32: the values the codes were computed with.
  const exact = affineQuantize(castToDtype(w, dtype), rows, cols, { bits, groupSize });
  const d = affineDequantize(q);
  const codes = codesOf(q);
  const codesExact = codesOf(exact);
  const nBins = 2 ** bits - 1;
  let unclampedChecked = 0;
  for (let i = 0; i < w.length; i++) {
    const g = Math.floor(i / groupSize);
    const wi = roundToDtype(w[i]!, dtype);
    assert.equal(codes[i], codesExact[i], "codes do not depend on how scales are stored");
    const s = exact.scales[g]!;
    const b = exact.biases[g]!;
    const storeErr = codes[i]! * Math.abs(q.scales[g]! - s) + Math.abs(q.biases[g]! - b);
    const tol = 8 * 2 ** -23 * (Math.abs(wi) + Math.abs(b) + nBins * Math.abs(s)) + storeErr;
    const err = Math.abs(wi - d[i]!);
    assert.ok(err <= Math.abs(s) + tol, `bits ${bits} group ${groupSize} ${dtype} elem ${i}: err ${err} > |scale| ${Math.abs(s)}`);
    if ((wi - b) / s < nBins + 0.5) {
      unclampedChecked++;
      assert.ok(err <= Math.abs(s) / 2 + tol, `bits ${bits} group ${groupSize} ${dtype} elem ${i}: err ${err} > |scale|/2 ${Math.abs(s) / 2}`);
    }
  }
  assert.ok(unclampedChecked > w.length * 0.9, "most elements are unclamped");
}

test("dequantize(quantize(w)) error bounds for every bits × group size (f32, f16, bf16)", () => {
  const rows = 6;
  const cols = 256;
  for (const bits of AFFINE_BITS) {
    for (const groupSize of AFFINE_GROUP_SIZES) {
      const w = normalMatrix(rows * cols, bits * 1000 + groupSize);
      // Special rows: all negative, all positive, constant, zeros with one spike, wide range.
      for (let j = 0; j < cols; j++) {
        w[1 * cols + j] = -Math.abs(w[1 * cols + j]!) - 0.01;
        w[2 * cols + j] = Math.abs(w[2 * cols + j]!) + 0.5;
        w[3 * cols + j] = 0.125;
        w[4 * cols + j] = j % 37 === 0 ? -0.3 : 0;
        w[5 * cols + j] = w[5 * cols + j]! * 1000;
      }
      for (const dtype of ["float32", "float16", "bfloat16"] as const) checkBounds(w, rows, cols, bits, groupSize, dtype);
    }
  }
});

test("bad inputs: unsupported bits and group sizes, shapes, lengths, non-finite values", () => {
  const w = new Float32Array(64);
  assertCortexThrows(() => affineQuantize(w, 1, 64, { bits: 7, groupSize: 64 }), "FMT_UNSUPPORTED", "bits 7", "2, 3, 4, 5, 6, 8");
  assertCortexThrows(() => affineQuantize(w, 1, 64, { bits: 1, groupSize: 64, name: "lm_head.weight" }), "FMT_UNSUPPORTED", "lm_head.weight", "bits 1");
  assertCortexThrows(() => affineQuantize(w, 4, 16, { bits: 4, groupSize: 16 }), "FMT_UNSUPPORTED", "group size 16", "32, 64, 128");
  assertCortexThrows(() => affineQuantize(w, 1, 64, { bits: 4, groupSize: 48 }), "FMT_UNSUPPORTED", "group size 48");
  assertCortexThrows(
    () => affineQuantize(new Float32Array(96), 1, 96, { bits: 4, groupSize: 64, name: "model.layers.0.mlp.down_proj.weight" }),
    "REQ_INVALID_ARGUMENT",
    "model.layers.0.mlp.down_proj.weight",
    "last dimension 96",
    "group size 64",
  );
  assertCortexThrows(() => affineQuantize(w, 2, 64, { bits: 4, groupSize: 64 }), "REQ_INVALID_ARGUMENT", "64 values", "[2, 64]");
  assertCortexThrows(() => affineQuantize(w, 1.5, 64, { bits: 4, groupSize: 64 }), "REQ_INVALID_ARGUMENT", "rows", "1.5");
  assertCortexThrows(() => affineQuantize(new Float32Array(0), 0, 0, { bits: 4, groupSize: 64 }), "REQ_INVALID_ARGUMENT", "cols", "0");
  const nan = new Float32Array(128);
  nan[64 + 5] = NaN;
  assertCortexThrows(() => affineQuantize(nan, 2, 64, { bits: 4, groupSize: 64 }), "REQ_INVALID_ARGUMENT", "NaN", "row 1, column 5");
  const big = new Float32Array(64);
  big[3] = 70000; // overflows float16
  assertCortexThrows(() => affineQuantize(big, 1, 64, { bits: 4, groupSize: 64, dtype: "float16" }), "REQ_INVALID_ARGUMENT", "70000", "float16");
  assertCortexThrows(
    () => affineDequantize({ weight: new Uint32Array(3), scales: new Float32Array(1), biases: new Float32Array(1), rows: 1, cols: 32, bits: 4, groupSize: 32 }),
    "REQ_INVALID_ARGUMENT",
    "3 words",
  );
  assertCortexThrows(
    () => affineDequantize({ weight: new Uint32Array(4), scales: new Float32Array(2), biases: new Float32Array(1), rows: 1, cols: 32, bits: 4, groupSize: 32 }),
    "REQ_INVALID_ARGUMENT",
    "scales/biases",
  );
  assertCortexThrows(
    () => affineDequantize(affineQuantize(new Float32Array(32), 1, 32, { bits: 4, groupSize: 32 }), new Float32Array(31)),
    "REQ_INVALID_ARGUMENT",
    "out has 31 elements",
  );
});

test("zero rows give empty outputs", () => {
  const q = affineQuantize(new Float32Array(0), 0, 64, { bits: 4, groupSize: 64 });
  assert.equal(q.weight.length + q.scales.length + q.biases.length, 0);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bf16BitsToF32,
  castToDtype,
  encodeDtype,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  parseModelDtype,
  roundToDtype,
  safetensorsDtypeOf,
} from "../../src/mlx/float-convert.js";
import { assertCortexThrows } from "./helpers.js";

test("f32 → f16 bits: normal, ties to even, subnormal, overflow", () => {
  assert.equal(f32ToF16Bits(1), 0x3c00);
  assert.equal(f32ToF16Bits(-2), 0xc000);
  assert.equal(f32ToF16Bits(65504), 0x7bff);
  assert.equal(f32ToF16Bits(65520), 0x7c00, "halfway to the next binade rounds to even = inf");
  assert.equal(f32ToF16Bits(1 + 2 ** -11), 0x3c00, "tie → even mantissa");
  assert.equal(f32ToF16Bits(1 + 3 * 2 ** -11), 0x3c02, "tie → even mantissa (up)");
  assert.equal(f32ToF16Bits(1e-7), 0x0002, "subnormal: 1e-7 ≈ 1.68 × 2^-24 → 2");
  assert.equal(f32ToF16Bits(-1e-7), 0x8002);
  assert.equal(f16BitsToF32(0x0001), 2 ** -24);
  assert.equal(f16BitsToF32(0x3555), 0.333251953125);
});

test("f32 → bf16 bits: ties to even, round trip", () => {
  assert.equal(f32ToBf16Bits(1), 0x3f80);
  assert.equal(f32ToBf16Bits(1 + 2 ** -8), 0x3f80, "tie → even");
  assert.equal(f32ToBf16Bits(1 + 3 * 2 ** -8), 0x3f82, "tie → even (up)");
  assert.equal(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -20), 0x3f81, "above the tie");
  assert.equal(bf16BitsToF32(0xc0a0), -5);
  assert.ok(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN))));
});

test("roundToDtype and castToDtype agree and cast in place", () => {
  const src = Float32Array.from([0.1, -1e-7, 3.14159, 70000, 1 + 2 ** -11]);
  for (const dtype of ["float16", "bfloat16", "float32"] as const) {
    const out = castToDtype(src, dtype);
    for (let i = 0; i < src.length; i++) assert.equal(out[i], Math.fround(roundToDtype(src[i]!, dtype)), `${dtype} ${i}`);
  }
  assert.equal(roundToDtype(70000, "float16"), Infinity);
  assert.equal(roundToDtype(0.1, "bfloat16"), 0.10009765625);
  const inPlace = Float32Array.from([0.1]);
  assert.equal(castToDtype(inPlace, "float16", inPlace), inPlace);
  assert.equal(inPlace[0], 0.0999755859375);
  assertCortexThrows(() => castToDtype(src, "float16", new Float32Array(2)), "REQ_INVALID_ARGUMENT", "2 elements", "5");
});

test("encodeDtype writes little-endian bytes of the dtype", () => {
  const v = Float32Array.from([1, -2]);
  assert.deepEqual([...encodeDtype(v, "float16")], [0x00, 0x3c, 0x00, 0xc0]);
  assert.deepEqual([...encodeDtype(v, "bfloat16")], [0x80, 0x3f, 0x00, 0xc0]);
  assert.deepEqual([...encodeDtype(v, "float32")], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  assert.equal(safetensorsDtypeOf("bfloat16"), "BF16");
});

test("parseModelDtype names what is allowed", () => {
  assert.equal(parseModelDtype("bfloat16"), "bfloat16");
  assertCortexThrows(() => parseModelDtype("float64", "mlx.dtype"), "REQ_INVALID_ARGUMENT", "mlx.dtype", "float64", "float16, bfloat16, float32");
});

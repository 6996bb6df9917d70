import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bf16ToFloat32,
  bf16ToNumber,
  f16BitsToF32Bits,
  f16ToFloat32,
  f16ToNumber,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
  float32ToBf16,
  float32ToF16,
  numberToF16,
} from "../../src/formats/half-float.js";

test("f16 → f32 vectors: zeros, subnormals, normals, max, inf, NaN", () => {
  assert.equal(f16ToNumber(0x0000), 0);
  assert.ok(Object.is(f16ToNumber(0x8000), -0));
  assert.equal(f16ToNumber(0x0001), 2 ** -24);
  assert.equal(f16ToNumber(0x03ff), 1023 * 2 ** -24);
  assert.equal(f16ToNumber(0x8001), -(2 ** -24));
  assert.equal(f16ToNumber(0x0400), 2 ** -14);
  assert.equal(f16ToNumber(0x3c00), 1);
  assert.equal(f16ToNumber(0x3555), 0.333251953125);
  assert.equal(f16ToNumber(0xc000), -2);
  assert.equal(f16ToNumber(0x7bff), 65504);
  assert.equal(f16ToNumber(0x7c00), Infinity);
  assert.equal(f16ToNumber(0xfc00), -Infinity);
  assert.ok(Number.isNaN(f16ToNumber(0x7e00)));
  // NaN payload and sign survive widening.
  assert.equal(f16BitsToF32Bits(0x7c01), 0x7f802000);
  assert.equal(f16BitsToF32Bits(0xfe00), 0xffc00000);
});

test("f32 → f16 rounds to nearest-even, overflows to inf, flushes below 2^-25", () => {
  assert.equal(numberToF16(0), 0x0000);
  assert.equal(numberToF16(-0), 0x8000);
  assert.equal(numberToF16(1), 0x3c00);
  assert.equal(numberToF16(65504), 0x7bff);
  assert.equal(numberToF16(65519.99), 0x7bff);
  assert.equal(numberToF16(65520), 0x7c00, "halfway above max rounds to inf");
  assert.equal(numberToF16(1e10), 0x7c00);
  assert.equal(numberToF16(-1e10), 0xfc00);
  assert.equal(numberToF16(Infinity), 0x7c00);
  assert.equal(numberToF16(1 + 2 ** -11), 0x3c00, "tie → even (down)");
  assert.equal(numberToF16(1 + 3 * 2 ** -11), 0x3c02, "tie → even (up)");
  assert.equal(numberToF16(1 + 2 ** -11 + 2 ** -20), 0x3c01, "just above the tie rounds up");
  assert.equal(numberToF16(2 ** -24), 0x0001, "smallest subnormal");
  assert.equal(numberToF16(2 ** -25), 0x0000, "exactly half the smallest subnormal: tie → 0");
  assert.equal(numberToF16(1.5 * 2 ** -25), 0x0001);
  assert.equal(numberToF16(3 * 2 ** -25), 0x0002, "subnormal tie → even");
  assert.equal(numberToF16(1e-8), 0x0000);
  assert.equal(numberToF16(-1e-8), 0x8000);
  assert.equal(numberToF16(2 ** -14 - 2 ** -25), 0x0400, "largest subnormal + half rounds into the normals");
  assert.equal(numberToF16(NaN), 0x7e00);
  assert.equal(f32BitsToF16Bits(0xffc00000), 0xfe00, "NaN keeps its sign");
  assert.equal(f32BitsToF16Bits(0x7f800001), 0x7e00, "signalling NaN becomes quiet, not inf");
});

test("every non-NaN f16 survives f16 → f32 → f16 exactly", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const wide = f16ToFloat32(all);
  const back = float32ToF16(wide);
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (!isNaN) assert.equal(back[h], h, `0x${h.toString(16)}`);
    else assert.ok(Number.isNaN(wide[h]!));
  }
});

test("bf16 vectors and round-to-nearest-even", () => {
  assert.equal(bf16ToNumber(0x3f80), 1);
  assert.ok(Object.is(bf16ToNumber(0x8000), -0));
  assert.equal(bf16ToNumber(0x0001), 2 ** -133, "subnormal");
  assert.equal(bf16ToNumber(0x7f80), Infinity);
  assert.equal(bf16ToNumber(0xff80), -Infinity);
  assert.ok(Number.isNaN(bf16ToNumber(0x7fc0)));
  assert.equal(f32BitsToBf16Bits(0x3f808000), 0x3f80, "tie → even (down)");
  assert.equal(f32BitsToBf16Bits(0x3f818000), 0x3f82, "tie → even (up)");
  assert.equal(f32BitsToBf16Bits(0x3f808001), 0x3f81);
  assert.equal(f32BitsToBf16Bits(0x7f7fffff), 0x7f80, "max f32 rounds to inf");
  assert.equal(f32BitsToBf16Bits(0xff7fffff), 0xff80);
  assert.equal(f32BitsToBf16Bits(0x7f800001), 0x7fc0, "NaN stays NaN (quiet bit set)");
  assert.equal(f32BitsToBf16Bits(0xffc00000), 0xffc0);
  assert.equal(f32BitsToBf16Bits(0x00008000), 0x0000, "subnormal tie → even, not flushed beyond");
  assert.equal(f32BitsToBf16Bits(0x00018000), 0x0002);
  assert.equal(f32BitsToBf16Bits(0x80000000), 0x8000);
});

test("bf16 array conversion round-trips every bf16 value bit-exactly", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const wide = bf16ToFloat32(all);
  const bits = new Uint32Array(wide.buffer);
  for (let h = 0; h < 65536; h += 1) assert.equal(bits[h], h << 16 >>> 0);
  const back = float32ToBf16(wide);
  for (let h = 0; h < 65536; h++) {
    const isNaN = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
    assert.equal(back[h], isNaN ? h | 0x40 : h, `0x${h.toString(16)}`);
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { packBits, packedWordCount, unpackBits } from "../../src/mlx/pack-bits.js";
import { assertCortexThrows } from "./helpers.js";

const hex = (words: Uint32Array) => [...words].map((w) => "0x" + w.toString(16).padStart(8, "0"));

// Expected words were worked out on the LSB-first stream definition (code j at stream bits j·bits…):
// e.g. 3-bit codes 0..7 fill 24 bits as 0b111_110_101_100_011_010_001_000 = 0xFAC688, i.e. bytes
// 88 C6 FA repeating; 12 bytes → little-endian words 0x88FAC688, 0xC688FAC6, 0xFAC688FA.
test("3-bit: 32 codes 0..7 repeated pack into 3 words (codes cross word boundaries)", () => {
  const codes = Array.from({ length: 32 }, (_, j) => j % 8);
  assert.deepEqual(hex(packBits(codes, 3)), ["0x88fac688", "0xc688fac6", "0xfac688fa"]);
});

test("3-bit: code 10 straddles words 0 and 1 (bits 30-32)", () => {
  const codes = Array.from({ length: 32 }, (_, j) => (j === 10 ? 7 : 0));
  // 7 = 0b111 at bit 30: bits 30, 31 of word 0 and bit 0 of word 1.
  assert.deepEqual(hex(packBits(codes, 3)), ["0xc0000000", "0x00000001", "0x00000000"]);
  const codes2 = Array.from({ length: 32 }, (_, j) => (j === 10 ? 4 : 0));
  // 4 = 0b100: only the top bit, which lands in word 1 bit 0.
  assert.deepEqual(hex(packBits(codes2, 3)), ["0x00000000", "0x00000001", "0x00000000"]);
});

test("5-bit: 32 codes 0..31 pack into 5 words", () => {
  // word 0 = 0 | 1<<5 | 2<<10 | 3<<15 | 4<<20 | 5<<25 | (6 & 3)<<30 = 0x8A418820
  const codes = Array.from({ length: 32 }, (_, j) => j);
  assert.deepEqual(hex(packBits(codes, 5)), ["0x8a418820", "0xc5a92839", "0xca307b9a", "0x38bdab49", "0xffbbcdeb"]);
  const single = Array.from({ length: 32 }, (_, j) => (j === 6 ? 31 : 0));
  // code 6 at bit 30: two bits in word 0, three in word 1.
  assert.deepEqual(hex(packBits(single, 5)), ["0xc0000000", "0x00000007", "0x00000000", "0x00000000", "0x00000000"]);
});

test("6-bit: 16 codes pack into 3 words", () => {
  // word 0 = 0 | 1<<6 | 2<<12 | 3<<18 | 4<<24 | (5 & 3)<<30 = 0x440C2040
  const codes = Array.from({ length: 16 }, (_, j) => j);
  assert.deepEqual(hex(packBits(codes, 6)), ["0x440c2040", "0xa2481c61", "0x3ce34c2c"]);
  const single = Array.from({ length: 16 }, (_, j) => (j === 5 ? 63 : 0));
  assert.deepEqual(hex(packBits(single, 6)), ["0xc0000000", "0x0000000f", "0x00000000"]);
});

test("2/4/8-bit: code i at bit i·bits of its word", () => {
  assert.deepEqual(hex(packBits([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 2)), ["0xc0000039"]);
  assert.deepEqual(hex(packBits([1, 2, 3, 4, 5, 6, 7, 15], 4)), ["0xf7654321"]);
  assert.deepEqual(hex(packBits([0x11, 0x22, 0x33, 0xff], 8)), ["0xff332211"]);
});

/** MLX's Metal dequantizer reads 3/5/6-bit codes from bytes with these masks (affine_dequantize). */
function metalByteDecode(bytes: Uint8Array, bits: number, count: number): number[] {
  const out: number[] = [];
  if (bits === 3) {
    for (let p = 0; out.length < count; p += 3) {
      const [b0, b1, b2] = [bytes[p]!, bytes[p + 1]!, bytes[p + 2]!];
      out.push(b0 & 7, (b0 >> 3) & 7, (b0 >> 6) | ((b1 & 1) << 2), (b1 >> 1) & 7, (b1 >> 4) & 7, (b1 >> 7) | ((b2 & 3) << 1), (b2 >> 2) & 7, b2 >> 5);
    }
  } else if (bits === 5) {
    for (let p = 0; out.length < count; p += 5) {
      const b = bytes.subarray(p, p + 5);
      out.push(
        b[0]! & 0x1f,
        (b[0]! >> 5) | ((b[1]! & 3) << 3),
        (b[1]! >> 2) & 0x1f,
        (b[1]! >> 7) | ((b[2]! & 0xf) << 1),
        (b[2]! >> 4) | ((b[3]! & 1) << 4),
        (b[3]! >> 1) & 0x1f,
        (b[3]! >> 6) | ((b[4]! & 7) << 2),
        b[4]! >> 3,
      );
    }
  } else {
    for (let p = 0; out.length < count; p += 3) {
      const [b0, b1, b2] = [bytes[p]!, bytes[p + 1]!, bytes[p + 2]!];
      out.push(b0 & 0x3f, (b0 >> 6) | ((b1 & 0xf) << 2), (b1 >> 4) | ((b2 & 3) << 4), b2 >> 2);
    }
  }
  return out;
}

test("3/5/6-bit packing reads back through MLX's byte-level decoder", () => {
  for (const bits of [3, 5, 6]) {
    const r = Array.from({ length: 256 }, (_, j) => (j * 2654435761) % (1 << bits));
    const words = packBits(r, bits);
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    assert.deepEqual(metalByteDecode(bytes, bits, 256), r, `${bits}-bit`);
  }
});

test("unpackBits inverts packBits for every width 1-8 (property)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { maxLength: 200 }), (bits, raw) => {
      const codes = raw.map((v) => v % (1 << bits));
      const words = packBits(codes, bits);
      assert.equal(words.length, packedWordCount(codes.length, bits));
      assert.deepEqual([...unpackBits(words, bits, codes.length)], codes);
    }),
  );
});

test("unpackBits honours word and output offsets", () => {
  const words = new Uint32Array([0xdeadbeef, ...packBits([7, 6, 5, 4, 3, 2, 1, 0, ...new Array(24).fill(5)], 3)]);
  const out = new Uint8Array(10).fill(99);
  unpackBits(words, 3, 8, out, 1, 2);
  assert.deepEqual([...out], [99, 99, 7, 6, 5, 4, 3, 2, 1, 0]);
});

test("packBits rejects out-of-range codes and unsupported widths", () => {
  assertCortexThrows(() => packBits([0, 8], 3), "REQ_INVALID_ARGUMENT", "code 1 is 8", "[0, 7]");
  assertCortexThrows(() => packBits([1.5], 4), "REQ_INVALID_ARGUMENT", "code 0 is 1.5");
  assertCortexThrows(() => packBits([0], 9), "FMT_UNSUPPORTED", "bit width 9", "1–8");
  assertCortexThrows(() => unpackBits(new Uint32Array(2), 3, 32), "REQ_INVALID_ARGUMENT", "need 3 words");
  assertCortexThrows(() => unpackBits(new Uint32Array(3), 3, 32, new Uint8Array(4)), "REQ_INVALID_ARGUMENT", "room for 4 codes");
});

/**
 * MLX's packing of affine codes into uint32 words (formats.md §2.3): each row is one LSB-first bit stream,
 * code j occupying stream bits [j·bits, (j+1)·bits), stored as little-endian uint32 words (word k = stream
 * bits 32k…32k+31). 2/4/8-bit codes never straddle a word; 3-, 5- and 6-bit codes do (3-bit code 10 takes
 * bits 30–32). This is what the Metal kernel produces by writing 3 bytes per 8 codes (3-bit), 5 bytes per
 * 8 codes (5-bit) and 3 bytes per 4 codes (6-bit), each code OR-ed in at `bits·(i % pack_factor)`
 * (ml-explore/mlx mlx/backend/metal/kernels/quantized.h `affine_quantize`, and `affine_dequantize`'s byte
 * masks, e.g. 3-bit code 2 = `(b0 >> 6) | ((b1 & 1) << 2)`).
 */
import { CortexError } from "../errors/cortex-error.js";

/** Number of uint32 words holding `count` codes of `bits` bits (the last word zero-padded). */
export function packedWordCount(count: number, bits: number): number {
  return Math.ceil((count * bits) / 32);
}

/**
 * Pack `count` codes from `codes[codeOffset…]` into `out[wordOffset…]`. Words are written whole (a final
 * partial word is zero-padded), so `out` need not be zeroed. No range check: callers guarantee
 * `code < 2^bits` (the quantizer does). @internal
 */
export function packBitsUnchecked(
  codes: ArrayLike<number>,
  codeOffset: number,
  count: number,
  bits: number,
  out: Uint32Array,
  wordOffset: number,
): void {
  let word = 0;
  let filled = 0;
  let wi = wordOffset;
  const end = codeOffset + count;
  for (let j = codeOffset; j < end; j++) {
    const v = codes[j]!;
    word |= v << filled;
    filled += bits;
    if (filled >= 32) {
      out[wi++] = word >>> 0;
      filled -= 32;
      // The high `filled` bits of v did not fit in the finished word; they start the next one.
      word = filled > 0 ? v >>> (bits - filled) : 0;
    }
  }
  if (filled > 0) out[wi] = word >>> 0;
}

/**
 * Pack codes (each in [0, 2^bits)) into MLX's uint32 layout.
 * @param bits 1–8 (MLX affine uses 2, 3, 4, 5, 6, 8)
 * @returns a new Uint32Array of `packedWordCount(codes.length, bits)` words
 */
export function packBits(codes: ArrayLike<number>, bits: number): Uint32Array {
  checkBits(bits);
  const limit = 1 << bits;
  for (let j = 0; j < codes.length; j++) {
    const v = codes[j]!;
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `packBits: code ${j} is ${v}; ${bits}-bit codes must be integers in [0, ${limit - 1}]`);
    }
  }
  const out = new Uint32Array(packedWordCount(codes.length, bits));
  packBitsUnchecked(codes, 0, codes.length, bits, out, 0);
  return out;
}

/**
 * Unpack `count` codes of `bits` bits from `words[wordOffset…]` into `out[outOffset…]`.
 * @returns `out` (a new Uint8Array of `count` when not given)
 */
export function unpackBits(
  words: Uint32Array,
  bits: number,
  count: number,
  out: Uint8Array = new Uint8Array(count),
  wordOffset = 0,
  outOffset = 0,
): Uint8Array {
  checkBits(bits);
  const needed = packedWordCount(count, bits);
  if (wordOffset + needed > words.length) {
    throw new CortexError(
      "REQ_INVALID_ARGUMENT",
      `unpackBits: ${count} ${bits}-bit codes need ${needed} words from offset ${wordOffset}, but only ${words.length - wordOffset} are there`,
    );
  }
  if (outOffset + count > out.length) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `unpackBits: out has room for ${out.length - outOffset} codes, ${count} requested`);
  }
  const mask = (1 << bits) - 1;
  for (let j = 0; j < count; j++) {
    const pos = j * bits;
    const wi = wordOffset + (pos >>> 5);
    const sh = pos & 31;
    let v = words[wi]! >>> sh;
    if (sh + bits > 32) v |= words[wi + 1]! << (32 - sh);
    out[outOffset + j] = v & mask;
  }
  return out;
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new CortexError("FMT_UNSUPPORTED", `bit width ${bits} is not supported for packing; allowed: 1–8`);
  }
}

/**
 * MLX affine groups → ggml Q4_1 / Q5_1 blocks without touching a code (shared/reference/formats.md,
 * serving-and-fleet.md §6). MLX stores `w = scale·q + bias` per group of `groupSize` consecutive weights of a
 * row, codes packed LSB-first in uint32 words; ggml's Q4_1 stores `y = q·d + m` per block of 32 as
 * `{f16 d; f16 m; u8 qs[16]}` with element j in the low nibble of qs[j] and element j+16 in its high nibble;
 * Q5_1 adds `u8 qh[4]`, the fifth bit of element j in bit j of the little-endian uint32. A group of 32·k is k
 * blocks sharing the group's (scale, bias), so the repack is exact exactly when scale and bias survive a round
 * trip through f16 — {@link firstNonF16} checks that first.
 */
import { f16ToNumber, numberToF16 } from "../formats/half-float.js";
import { unpackBits } from "../mlx/pack-bits.js";

export const QK = 32;
export const Q4_1_BYTES = 20;
export const Q5_1_BYTES = 24;

/**
 * Index of the first value that f16 cannot hold exactly (too large, too small, or too many significant bits),
 * or -1 when every value converts without loss. NaN never round-trips.
 */
export function firstNonF16(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (f16ToNumber(numberToF16(v)) !== v) return i;
  }
  return -1;
}

/** The quantized rows being repacked: `rows` rows of `cols` weights, `bits`-bit codes in MLX's layout. */
export interface AffineRows {
  /** `rows × cols·bits/32` packed words. */
  readonly weight: Uint32Array;
  /** `rows × cols/groupSize`, each exactly representable in f16 (checked by the caller). */
  readonly scales: Float32Array;
  readonly biases: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly groupSize: number;
}

/** The low 4 nibbles of `x` spread to the low nibbles of 4 bytes (nibble i → bits 8i…8i+3). */
const spread = (x: number): number => (x & 0xf) | ((x & 0xf0) << 4) | ((x & 0xf00) << 8) | ((x & 0xf000) << 12);

/**
 * Q4_1 blocks for 4-bit rows: `rows × cols/32` blocks of 20 bytes. A block's 32 codes are 4 words w0…w3 (element
 * j is nibble j%8 of word j/8); qs byte j holds element j (low nibble) and j+16 (high), so qs words 0–1 interleave
 * w0 with w2 and words 2–3 w1 with w3. Blocks are 20 bytes, so every field is 4-byte aligned and written as uint32
 * (little-endian, as the file is; `out` must start on a multiple of 4).
 */
export function repackQ4_1(a: AffineRows, out = new Uint8Array((a.rows * a.cols / QK) * Q4_1_BYTES)): Uint8Array {
  if (out.byteOffset % 4 !== 0 || !LITTLE_ENDIAN) return repackQ4_1Bytes(a, out);
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.byteLength / 4);
  const groupsPerRow = a.cols / a.groupSize;
  const blocksPerGroup = a.groupSize / QK;
  const w = a.weight;
  let o = 0;
  let wi = 0;
  for (let g = 0; g < a.rows * groupsPerRow; g++) {
    const dm = (numberToF16(a.scales[g]!) | (numberToF16(a.biases[g]!) << 16)) >>> 0;
    for (let b = 0; b < blocksPerGroup; b++) {
      const w0 = w[wi]!, w1 = w[wi + 1]!, w2 = w[wi + 2]!, w3 = w[wi + 3]!;
      o32[o] = dm;
      o32[o + 1] = (spread(w0 & 0xffff) | (spread(w2 & 0xffff) << 4)) >>> 0;
      o32[o + 2] = (spread(w0 >>> 16) | (spread(w2 >>> 16) << 4)) >>> 0;
      o32[o + 3] = (spread(w1 & 0xffff) | (spread(w3 & 0xffff) << 4)) >>> 0;
      o32[o + 4] = (spread(w1 >>> 16) | (spread(w3 >>> 16) << 4)) >>> 0;
      o += 5;
      wi += 4;
    }
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** {@link repackQ4_1} byte by byte: for an unaligned `out` or a big-endian host. */
function repackQ4_1Bytes(a: AffineRows, out: Uint8Array): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const groupsPerRow = a.cols / a.groupSize;
  const blocksPerGroup = a.groupSize / QK;
  const wordsPerRow = a.cols / 8;
  let o = 0;
  for (let r = 0; r < a.rows; r++) {
    for (let g = 0; g < groupsPerRow; g++) {
      const d = numberToF16(a.scales[r * groupsPerRow + g]!);
      const m = numberToF16(a.biases[r * groupsPerRow + g]!);
      for (let b = 0; b < blocksPerGroup; b++) {
        // 32 codes = 4 words; element j is nibble j%8 of word j/8.
        const w = r * wordsPerRow + (g * blocksPerGroup + b) * 4;
        view.setUint16(o, d, true);
        view.setUint16(o + 2, m, true);
        for (let j = 0; j < 16; j++) {
          const lo = (a.weight[w + (j >>> 3)]! >>> ((j & 7) << 2)) & 0xf;
          const hi = (a.weight[w + 2 + (j >>> 3)]! >>> ((j & 7) << 2)) & 0xf;
          out[o + 4 + j] = lo | (hi << 4);
        }
        o += Q4_1_BYTES;
      }
    }
  }
  return out;
}

/** Q5_1 blocks for 5-bit rows: `rows × cols/32` blocks of 24 bytes. */
export function repackQ5_1(a: AffineRows, out = new Uint8Array((a.rows * a.cols / QK) * Q5_1_BYTES)): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const groupsPerRow = a.cols / a.groupSize;
  const blocksPerGroup = a.groupSize / QK;
  const wordsPerRow = (a.cols * 5) / 32;
  const codes = new Uint8Array(QK);
  let o = 0;
  for (let r = 0; r < a.rows; r++) {
    for (let g = 0; g < groupsPerRow; g++) {
      const d = numberToF16(a.scales[r * groupsPerRow + g]!);
      const m = numberToF16(a.biases[r * groupsPerRow + g]!);
      for (let b = 0; b < blocksPerGroup; b++) {
        // 32 five-bit codes are exactly 5 words, so every block starts on a word.
        unpackBits(a.weight, 5, QK, codes, r * wordsPerRow + (g * blocksPerGroup + b) * 5);
        let qh = 0;
        for (let j = 0; j < QK; j++) qh |= (codes[j]! >>> 4) << j;
        view.setUint16(o, d, true);
        view.setUint16(o + 2, m, true);
        view.setUint32(o + 4, qh >>> 0, true);
        for (let j = 0; j < 16; j++) out[o + 8 + j] = (codes[j]! & 0xf) | ((codes[j + 16]! & 0xf) << 4);
        o += Q5_1_BYTES;
      }
    }
  }
  return out;
}

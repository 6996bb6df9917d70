/**
 * IEEE binary16 (F16) and bfloat16 (BF16) conversions, bit-exact with ggml / numpy:
 * f32 → f16 and f32 → bf16 round to nearest-even; f16 → f32 and bf16 → f32 are exact.
 * Array functions are plain loops over typed arrays, so a worker thread can call them.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** f16 bits → f32 bits (exact; subnormals normalised, inf/NaN payload kept). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0) {
    if (mant === 0) return sign >>> 0;
    // Subnormal half: shift the leading 1 into the implicit position.
    let e = 113;
    while ((mant & 0x400) === 0) {
      mant <<= 1;
      e--;
    }
    return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
  }
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
}

/** f32 bits → f16 bits, round to nearest-even, overflow → ±inf, NaN → sign|0x7E00 (ggml). */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | (mant !== 0 ? 0x7e00 : 0x7c00);
  const e = exp - 112; // re-biased for binary16
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) !== 0)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, which is exactly right (up to +inf).
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++;
  return sign | h;
}

/** f32 bits → bf16 bits: NaN → quiet NaN with the same high bits, else round to nearest-even (no flush). */
export function f32BitsToBf16Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff;
  const u = bits >>> 0;
  return Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 65536) & 0xffff;
}

/** f16 bits → JS number. */
export function f16ToNumber(h: number): number {
  scratchU32[0] = f16BitsToF32Bits(h);
  return scratchF32[0]!;
}

/** JS number → f16 bits (the number is first rounded to f32, as numpy's float32 → float16 path does). */
export function numberToF16(x: number): number {
  scratchF32[0] = x;
  return f32BitsToF16Bits(scratchU32[0]!);
}

/** bf16 bits → JS number. */
export function bf16ToNumber(h: number): number {
  scratchU32[0] = (h & 0xffff) << 16;
  return scratchF32[0]!;
}

/** JS number → bf16 bits (via f32). */
export function numberToBf16(x: number): number {
  scratchF32[0] = x;
  return f32BitsToBf16Bits(scratchU32[0]!);
}

let f16Table: Uint32Array | undefined;

/** 65,536-entry f16 → f32-bits table (256 KiB), built on first use. */
function f16ToF32Table(): Uint32Array {
  if (!f16Table) {
    f16Table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32Bits(h);
  }
  return f16Table;
}

/** Bits view of a Float32Array (same memory) so NaN payloads survive copies. */
function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Convert F16 values to Float32Array (exact). `out` may be supplied to avoid an allocation. */
export function f16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const table = f16ToF32Table();
  const o = bitsOf(out);
  const n = src.length;
  for (let i = 0; i < n; i++) o[i] = table[src[i]!]!;
  return out;
}

/** Convert BF16 values to Float32Array (exact: a 16-bit shift). */
export function bf16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const o = bitsOf(out);
  const n = src.length;
  for (let i = 0; i < n; i++) o[i] = src[i]! << 16;
  return out;
}

/** Convert Float32Array to F16 bits (round to nearest-even). */
export function float32ToF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const s = bitsOf(src);
  const n = s.length;
  for (let i = 0; i < n; i++) out[i] = f32BitsToF16Bits(s[i]!);
  return out;
}

/** Convert Float32Array to BF16 bits (round to nearest-even; NaN stays NaN). */
export function float32ToBf16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const s = bitsOf(src);
  const n = s.length;
  for (let i = 0; i < n; i++) out[i] = f32BitsToBf16Bits(s[i]!);
  return out;
}

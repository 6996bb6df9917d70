/**
 * The three model dtypes mlx-lm stores scales, biases and unquantized parameters in, and the rounding of
 * f32 values to them.
 *
 * What MLX does (formats.md §2.2 step 7, §2.7): the Metal `affine_quantize` kernel computes scale and bias
 * in f32 and only then casts them to the weight dtype T (`static_cast<T>(scale)`), which rounds to
 * nearest-even for float16 and bfloat16. The codes are computed from the *unrounded* f32 scale/bias. So a
 * port computes in f32 (see affine-quantize.ts) and rounds with these helpers when storing.
 *
 * Bit-level conversions are the ones in formats/half-float.ts (bit-exact with numpy/ggml, RNE, subnormals,
 * overflow → ±inf); this module adds the JS-number and dtype-level helpers the MLX pipeline needs.
 */
import { CortexError } from "../errors/cortex-error.js";
import {
  bf16ToNumber,
  f16ToFloat32,
  f16ToNumber,
  float32ToBf16,
  float32ToF16,
  numberToBf16,
  numberToF16,
} from "../formats/half-float.js";

/** Floating dtypes mlx-lm converts to (`--dtype`, config `torch_dtype`). */
export type ModelDtype = "float16" | "bfloat16" | "float32";

export const MODEL_DTYPES: readonly ModelDtype[] = ["float16", "bfloat16", "float32"];

/** Parse a dtype name as mlx-lm accepts it (`float16`, `bfloat16`, `float32`). */
export function parseModelDtype(value: string, field = "dtype"): ModelDtype {
  if ((MODEL_DTYPES as readonly string[]).includes(value)) return value as ModelDtype;
  throw new CortexError("REQ_INVALID_ARGUMENT", `${field} "${value}" is not supported; allowed: ${MODEL_DTYPES.join(", ")}`);
}

/** safetensors dtype tag for a model dtype. */
export function safetensorsDtypeOf(dtype: ModelDtype): "F16" | "BF16" | "F32" {
  return dtype === "float16" ? "F16" : dtype === "bfloat16" ? "BF16" : "F32";
}

/** Bytes per element of a model dtype. */
export function dtypeByteSize(dtype: ModelDtype): 2 | 4 {
  return dtype === "float32" ? 4 : 2;
}

/** f32 → binary16 bits, round to nearest-even (the number is first rounded to f32). */
export function f32ToF16Bits(x: number): number {
  return numberToF16(x);
}

/** binary16 bits → value (exact). */
export function f16BitsToF32(h: number): number {
  return f16ToNumber(h);
}

/** f32 → bfloat16 bits, round to nearest-even (NaN stays NaN). */
export function f32ToBf16Bits(x: number): number {
  return numberToBf16(x);
}

/** bfloat16 bits → value (exact). */
export function bf16BitsToF32(h: number): number {
  return bf16ToNumber(h);
}

/** Round a value to the nearest value representable in `dtype` (RNE), as `astype(dtype)` would. */
export function roundToDtype(x: number, dtype: ModelDtype): number {
  if (dtype === "float32") return Math.fround(x);
  if (dtype === "float16") return f16ToNumber(numberToF16(x));
  return bf16ToNumber(numberToBf16(x));
}

/**
 * Round every element of `src` to `dtype`, writing the (f32-representable) results to `out`
 * (may be `src` itself for an in-place cast).
 */
export function castToDtype(src: Float32Array, dtype: ModelDtype, out: Float32Array = new Float32Array(src.length)): Float32Array {
  if (out.length !== src.length) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `castToDtype: out has ${out.length} elements, src has ${src.length}`);
  }
  if (dtype === "float32") {
    if (out !== src) out.set(src);
    return out;
  }
  if (dtype === "float16") {
    f16ToFloat32(float32ToF16(src), out);
    return out;
  }
  // bf16 round-to-nearest-even on the f32 bits, in place in the output's bit view (NaN stays NaN).
  const s = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0, n = s.length; i < n; i++) {
    const b = s[i]!;
    o[i] = (b & 0x7fffffff) > 0x7f800000 ? (b | 0x00400000) & 0xffff0000 : ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return out;
}

/**
 * Encode f32 values as little-endian bytes of `dtype` (RNE for f16/bf16), ready to be written as a
 * safetensors tensor of `safetensorsDtypeOf(dtype)`.
 */
export function encodeDtype(values: Float32Array, dtype: ModelDtype): Uint8Array {
  const typed = dtype === "float32" ? Float32Array.from(values) : dtype === "float16" ? float32ToF16(values) : float32ToBf16(values);
  if (!littleEndianHost) {
    const size = dtypeByteSize(dtype);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** encodeDtype written into `dst` (exactly `values.length` elements of `dtype`) instead of a new array. */
export function encodeDtypeInto(values: Float32Array, dtype: ModelDtype, dst: Uint8Array): void {
  const n = values.length;
  if (dst.byteLength !== n * dtypeByteSize(dtype)) throw new CortexError("INTERNAL", `encodeDtypeInto: ${dst.byteLength} bytes for ${n} ${dtype} values`);
  if (!littleEndianHost || dst.byteOffset % dtypeByteSize(dtype) !== 0) {
    dst.set(encodeDtype(values, dtype));
  } else if (dtype === "float32") {
    new Float32Array(dst.buffer, dst.byteOffset, n).set(values);
  } else {
    const out = new Uint16Array(dst.buffer, dst.byteOffset, n);
    if (dtype === "float16") float32ToF16(values, out);
    else float32ToBf16(values, out);
  }
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

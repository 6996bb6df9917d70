import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE as G, ggmlTypeName, tensorByteSize } from "../formats/gguf/ggml-types.js";
import { bf16ToFloat32, f16ToFloat32, float32ToBf16, float32ToF16 } from "../formats/half-float.js";
import { quantizeQ8_0 } from "./quantize-q8-0.js";

/**
 * Quantize f32 rows to a ggml type: `data` holds `dims[1..]` rows of `dims[0]` values (ggml order); returns
 * exactly `ggml_row_size(type, dims[0]) × rows` bytes. May be async (a worker pool); ggml's
 * `ggml_quantize_chunk` from the koffi bindings fits.
 */
export type QuantizeTensorFn = (name: string, data: Float32Array, dims: readonly number[], ggmlType: number) => Uint8Array | Promise<Uint8Array>;

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Round values in place through F16 or BF16 (what a file stored as that type would give back). */
export function roundThrough(data: Float32Array, type: number): Float32Array {
  if (type === G.F16) return f16ToFloat32(float32ToF16(data), data);
  if (type === G.BF16) return bf16ToFloat32(float32ToBf16(data), data);
  return data;
}

/** Types the converter encodes itself (F32, F16, BF16, Q8_0); others need a {@link QuantizeTensorFn}. */
export function isBuiltinType(type: number): boolean {
  return type === G.F32 || type === G.F16 || type === G.BF16 || type === G.Q8_0;
}

/**
 * Encode f32 values (`dims`, ggml order) as `type`: F32 as is, F16/BF16 rounded to nearest-even, Q8_0 with
 * the built-in reference quantizer unless `quantize` is given, anything else through `quantize`.
 * @throws CortexError QUANT_FAILED when the quantizer returns the wrong number of bytes.
 */
export async function encodeTensor(name: string, data: Float32Array, dims: readonly number[], type: number, quantize?: QuantizeTensorFn): Promise<Uint8Array> {
  if (type === G.F32) return bytesOf(data);
  if (type === G.F16) return bytesOf(float32ToF16(data));
  if (type === G.BF16) return bytesOf(float32ToBf16(data));
  if (type === G.Q8_0 && !quantize) return quantizeQ8_0(data);
  if (!quantize) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `tensor "${name}" needs ${ggmlTypeName(type)}, which needs the ggml quantization kernels (no quantizeTensor given)`);
  const out = await quantize(name, data, dims, type);
  const want = tensorByteSize(type, dims);
  if (out.byteLength !== want) throw new CortexError("QUANT_FAILED", `quantizing "${name}" to ${ggmlTypeName(type)} gave ${out.byteLength} bytes, expected ${want}`);
  return out;
}

/** ggml's dequantization of `n` values of `type` (to_float through koffi fits); used to measure a re-quantization. */
export type DequantizeTensorFn = (type: number, bytes: Uint8Array, n: number) => Float32Array | Promise<Float32Array>;

/**
 * Decode F32/F16/BF16/Q8_0 bytes (the types {@link encodeTensor} writes itself) to f32; undefined for other
 * types. Q8_0 as ggml's dequantize_row_q8_0: `y = q·d`.
 */
export function decodeBuiltin(type: number, bytes: Uint8Array, n: number): Float32Array | undefined {
  const copy = new Uint8Array(bytes); // aligned
  if (type === G.F32) return new Float32Array(copy.buffer, 0, n);
  if (type === G.F16) return f16ToFloat32(new Uint16Array(copy.buffer, 0, n));
  if (type === G.BF16) return bf16ToFloat32(new Uint16Array(copy.buffer, 0, n));
  if (type !== G.Q8_0) return undefined;
  const out = new Float32Array(n);
  const view = new DataView(copy.buffer);
  for (let b = 0; b < n / 32; b++) {
    const d = f16ToFloat32(new Uint16Array([view.getUint16(b * 34, true)]))[0]!;
    for (let j = 0; j < 32; j++) out[b * 32 + j] = Math.fround(view.getInt8(b * 34 + 2 + j) * d);
  }
  return out;
}

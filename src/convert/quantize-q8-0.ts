import { CortexError } from "../errors/cortex-error.js";
import { numberToF16 } from "../formats/half-float.js";

/** Q8_0: 32 elements per block, 2-byte f16 scale + 32 int8. */
export const Q8_0_BLOCK = 32;
export const Q8_0_BLOCK_BYTES = 34;

/**
 * Quantize f32 values to Q8_0, bit-exact with ggml's `quantize_row_q8_0_ref` and gguf-py's numpy port (which
 * convert_hf_to_gguf uses for `--outtype q8_0`): per block d = max|x| / 127 (f32), id = 1/d, q = roundf(x·id)
 * (half away from zero), d stored as f16. Pure; a worker thread can call it.
 * @throws CortexError INTERNAL when the length is not a multiple of 32.
 */
export function quantizeQ8_0(src: Float32Array, out: Uint8Array = new Uint8Array((src.length / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES)): Uint8Array {
  if (src.length % Q8_0_BLOCK !== 0) throw new CortexError("INTERNAL", `Q8_0: ${src.length} values is not a multiple of ${Q8_0_BLOCK}`);
  const nBlocks = src.length / Q8_0_BLOCK;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let b = 0; b < nBlocks; b++) {
    const base = b * Q8_0_BLOCK;
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK; j++) {
      const a = Math.abs(src[base + j]!);
      amax = amax > a ? amax : a; // ggml's MAX(amax, fabsf(x))
    }
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    view.setUint16(o, numberToF16(d), true);
    for (let j = 0; j < Q8_0_BLOCK; j++) {
      const x = Math.fround(src[base + j]! * id);
      // roundf: half away from zero; |x| + 0.5 is exact in f64 for every f32 below 2^52.
      const q = Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
      out[o + 2 + j] = q & 0xff;
    }
  }
  return out;
}

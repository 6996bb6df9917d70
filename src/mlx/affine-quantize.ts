/**
 * MLX affine quantization (`mx.quantize(w, group_size, bits, mode="affine")`) as the Metal GPU kernel does it
 * on a Mac, which is what `mlx_lm.convert -q` runs there (formats.md §2.2).
 *
 * Source checked against: ml-explore/mlx `mlx/backend/metal/kernels/quantized.h`, `affine_quantize<T,
 * group_size, bits>` (the float-math version): per group of `group_size` consecutive elements of a row,
 *
 *   w_max = max(0, max w)            running max starts at 0, so an all-negative group uses [min, 0]
 *   w_min = min(Limits<T>::max, min w)
 *   scale = max((w_max − w_min) / n_bins, 1e-7)
 *   side  = |w_min| > |w_max|;  scale = side ? scale : −scale;  edge = side ? w_min : w_max
 *   q0    = round(edge / scale)      Metal round(): halves away from zero
 *   q0 == 0 ? (bias = 0, scale kept) : (scale = edge / q0, bias = edge)
 *   scales[g] = T(scale); biases[g] = T(bias)         computed in f32, then cast (RNE for f16/bf16)
 *   q_i   = min(round((w_i − bias) / scale), n_bins)  with the *unrounded* f32 scale and bias
 *
 * All arithmetic is IEEE binary32, each operation rounded to nearest-even (`Math.fround`); the kernels are
 * built with `-fno-fast-math` (mlx/backend/metal/kernels/CMakeLists.txt), and nothing here can be contracted
 * into an FMA, so the result should be bit-identical to the GPU's [verify on a Mac: formats.md §2.2]. The
 * CPU backend (Linux `mlx[cpu]`) differs: max starts at −∞, rounding is half-to-even, codes are clamped.
 *
 * The quantized zero point: with q0 ≠ 0 the larger-magnitude extreme sits exactly at code 0 and 0 sits at
 * code −q0; the scale is negative whenever the maximum has the larger (or equal) magnitude.
 */
import { CortexError } from "../errors/cortex-error.js";
import { tensorBytesToFloat32 } from "../formats/safetensors/read-tensor-data.js";
import { affineQuantizeKernel, arrayInput, type KernelInput } from "./affine-kernel.js";
import { castToDtype, roundToDtype, safetensorsDtypeOf, type ModelDtype } from "./float-convert.js";
import { packBitsUnchecked, unpackBits } from "./pack-bits.js";

/** Bit widths MLX's affine mode supports. */
export const AFFINE_BITS = [2, 3, 4, 5, 6, 8] as const;
/** Group sizes MLX's affine mode supports. */
export const AFFINE_GROUP_SIZES = [32, 64, 128] as const;

export type AffineBits = (typeof AFFINE_BITS)[number];
export type AffineGroupSize = (typeof AFFINE_GROUP_SIZES)[number];

export interface AffineQuantizeOptions {
  /** 2, 3, 4, 5, 6 or 8. */
  bits: number;
  /** 32, 64 or 128. */
  groupSize: number;
  /**
   * Dtype the weight is in when mlx-lm quantizes it (after its `--dtype` cast), which is also the dtype
   * scales and biases are stored in. Inputs are rounded to it first (a no-op for values already in it) and
   * the returned scales/biases are rounded to it (RNE).
   * @default "float32"
   */
  dtype?: ModelDtype;
  /** Tensor name used in error messages. @default "weight" */
  name?: string;
  /** Added to row numbers in error messages (a worker quantizing a block of a larger matrix). @default 0 */
  rowOffset?: number;
  /** The caller guarantees every value is already representable in `dtype`: skip the input cast. */
  inputInDtype?: boolean;
}

/** One quantized matrix: MLX's `.weight` (U32), `.scales` and `.biases` for a `[rows, cols]` weight. */
export interface AffineQuantized {
  /** `[rows, cols·bits/32]` packed codes (pack-bits.ts layout). */
  weight: Uint32Array;
  /** `[rows, cols/groupSize]`, values representable in `dtype`. */
  scales: Float32Array;
  /** `[rows, cols/groupSize]`, values representable in `dtype`. */
  biases: Float32Array;
  rows: number;
  cols: number;
  bits: number;
  groupSize: number;
  dtype: ModelDtype;
  /** Scales and biases as little-endian `dtype` bytes (safetensors data), when the producer wrote them (the pool does). */
  encoded?: { scales: Uint8Array; biases: Uint8Array };
}

/** Largest finite value of each dtype: the kernel's `Limits<T>::max` starting minimum. */
const DTYPE_MAX: Record<ModelDtype, number> = {
  float32: 3.4028234663852886e38,
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
};

const fr = Math.fround;
const EPS = fr(1e-7);

/** Metal `round`: nearest integer, halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * Check bits, group size and shape the way `mx.quantize` does (and the data length).
 * @throws CortexError FMT_UNSUPPORTED for bits/group size MLX lacks, REQ_INVALID_ARGUMENT for shapes
 */
export function validateAffineParams(rows: number, cols: number, options: AffineQuantizeOptions, length?: number): void {
  const name = options.name ?? "weight";
  if (!(AFFINE_BITS as readonly number[]).includes(options.bits)) {
    throw new CortexError("FMT_UNSUPPORTED", `${name}: bits ${options.bits} is not supported by MLX affine quantization; allowed: ${AFFINE_BITS.join(", ")}`);
  }
  if (!(AFFINE_GROUP_SIZES as readonly number[]).includes(options.groupSize)) {
    throw new CortexError(
      "FMT_UNSUPPORTED",
      `${name}: group size ${options.groupSize} is not supported by MLX affine quantization; allowed: ${AFFINE_GROUP_SIZES.join(", ")}`,
    );
  }
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `${name}: rows must be a non-negative integer, got ${rows}`);
  }
  if (!Number.isSafeInteger(cols) || cols <= 0) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `${name}: cols must be a positive integer, got ${cols}`);
  }
  if (cols % options.groupSize !== 0) {
    throw new CortexError(
      "REQ_INVALID_ARGUMENT",
      `${name}: last dimension ${cols} is not divisible by group size ${options.groupSize} (mlx-lm leaves such layers unquantized)`,
    );
  }
  if (length !== undefined && length !== rows * cols) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `${name}: ${length} values given for shape [${rows}, ${cols}] (${rows * cols} expected)`);
  }
}

/**
 * Quantize a row-major `[rows, cols]` f32 matrix as MLX's GPU affine quantizer does.
 * Pure and synchronous; quantize-pool.ts runs it on worker threads. Runs the WebAssembly SIMD kernel
 * (affine-kernel.c) when available and the JS loop otherwise; both give the same bits.
 * @throws CortexError (see validateAffineParams); REQ_INVALID_ARGUMENT for NaN/±Inf (after the dtype cast)
 */
export function affineQuantize(w: Float32Array, rows: number, cols: number, options: AffineQuantizeOptions): AffineQuantized {
  return quantizeF32(w, rows, cols, options, true);
}

/** affineQuantize on the JS loop only: the reference the kernel is tested against. */
export function affineQuantizeJs(w: Float32Array, rows: number, cols: number, options: AffineQuantizeOptions): AffineQuantized {
  return quantizeF32(w, rows, cols, options, false);
}

/**
 * Quantize raw little-endian tensor bytes (F32, F16 or BF16) as affineQuantize would quantize their f32
 * values. A BF16 tensor quantized as bfloat16 goes to the kernel as is, with no f32 copy.
 */
export function affineQuantizeBytes(bytes: Uint8Array, srcDtype: "F32" | "F16" | "BF16", rows: number, cols: number, options: AffineQuantizeOptions): AffineQuantized {
  if (directDtype(srcDtype, options) && bytes.byteOffset % 4 === 0) {
    const length = bytes.byteLength / (srcDtype === "F32" ? 4 : 2);
    const values = srcDtype === "F32" ? new Float32Array(bytes.buffer, bytes.byteOffset, length) : new Uint16Array(bytes.buffer, bytes.byteOffset, length);
    const q = affineQuantizeDirect(arrayInput(values), rows, cols, options);
    if (q) return q;
  }
  const inputInDtype = safetensorsDtypeOf(options.dtype ?? "float32") === srcDtype;
  return quantizeF32(tensorBytesToFloat32(bytes, srcDtype), rows, cols, { ...options, inputInDtype }, true);
}

/** Whether tensor bytes of `srcDtype` can go to the kernel as they are (already the model dtype, BF16 or F32). */
export function directDtype(srcDtype: string, options: AffineQuantizeOptions): boolean {
  const dtype = options.dtype ?? "float32";
  return littleEndianHost && ((srcDtype === "BF16" && dtype === "bfloat16") || (srcDtype === "F32" && dtype === "float32"));
}

/**
 * Quantize a kernel input that already holds model-dtype values; undefined when the kernel is unavailable or
 * declines (non-finite values): the caller then takes the JS path, which words the error.
 */
export function affineQuantizeDirect(input: KernelInput, rows: number, cols: number, options: AffineQuantizeOptions, into?: AffineOutputArrays): AffineQuantized | undefined {
  validateAffineParams(rows, cols, options, input.length);
  const out = allocate(rows, cols, options, into);
  return affineQuantizeKernel(input, options.groupSize, options.bits, DTYPE_MAX[out.dtype], out.weight, out.scales, out.biases, out.dtype === "bfloat16") ? finish(out) : undefined;
}

/** Arrays to write a result into (of the result's sizes), instead of new ones. */
export type AffineOutputArrays = Pick<AffineQuantized, "weight" | "scales" | "biases">;

function allocate(rows: number, cols: number, options: AffineQuantizeOptions, into?: AffineOutputArrays): AffineQuantized {
  const { bits, groupSize } = options;
  const groups = rows * (cols / groupSize);
  return {
    weight: into?.weight ?? new Uint32Array((groups * groupSize * bits) / 32),
    scales: into?.scales ?? new Float32Array(groups),
    biases: into?.biases ?? new Float32Array(groups),
    rows,
    cols,
    bits,
    groupSize,
    dtype: options.dtype ?? "float32",
  };
}

/** Round the kernel's f32 scales and biases to float16 (it rounds to bfloat16 itself; the JS loop does it per group). */
function finish(q: AffineQuantized): AffineQuantized {
  if (q.dtype === "float16") {
    castToDtype(q.scales, q.dtype, q.scales);
    castToDtype(q.biases, q.dtype, q.biases);
  }
  return q;
}

function quantizeF32(w: Float32Array, rows: number, cols: number, options: AffineQuantizeOptions, useKernel: boolean): AffineQuantized {
  validateAffineParams(rows, cols, options, w.length);
  const { bits, groupSize } = options;
  const dtype = options.dtype ?? "float32";
  const name = options.name ?? "weight";
  const nBins = (1 << bits) - 1;
  const tMax = DTYPE_MAX[dtype];
  const groupsPerRow = cols / groupSize;
  const wordsPerGroup = (groupSize * bits) / 32; // integral: groupSize ≥ 32
  const out = allocate(rows, cols, options);
  const { weight, scales, biases } = out;
  const codes = new Uint8Array(groupSize);
  const cast = dtype !== "float32";
  // One bulk cast (bit arithmetic) instead of a per-element call; skipped when the caller says the values
  // already are `dtype` values (a bf16 checkpoint quantized as bf16).
  const vals = cast && !options.inputInDtype ? castToDtype(w, dtype) : w;
  if (useKernel && affineQuantizeKernel(arrayInput(vals), groupSize, bits, tMax, weight, scales, biases, dtype === "bfloat16")) return finish(out);

  for (let g = 0, ng = rows * groupsPerRow; g < ng; g++) {
    const base = g * groupSize;
    let wMin = tMax;
    let wMax = 0;
    let finite = true;
    for (let i = base, end = base + groupSize; i < end; i++) {
      const v = vals[i]!;
      if (v - v !== 0) finite = false; // NaN or ±Inf
      if (v < wMin) wMin = v;
      if (v > wMax) wMax = v;
    }
    if (!finite) throw notFinite(w, vals, base, groupSize, cols, name, cast ? dtype : undefined, options.rowOffset ?? 0);

    let scale = fr(fr(wMax - wMin) / nBins);
    if (scale < EPS) scale = EPS;
    const side = Math.abs(wMin) > Math.abs(wMax);
    if (!side) scale = -scale;
    const edge = side ? wMin : wMax;
    const q0 = roundHalfAway(fr(edge / scale));
    let bias = 0;
    if (q0 !== 0) {
      scale = fr(edge / q0);
      bias = edge;
    }
    scales[g] = cast ? roundToDtype(scale, dtype) : scale;
    biases[g] = cast ? roundToDtype(bias, dtype) : bias;

    // ≥ −0.5 before rounding by construction (w ≥ w_min when scale > 0, w ≤ w_max when scale < 0), so no
    // clamp at 0 is needed; −0 stores as 0. Metal round (half away from zero) inlined: trunc(x + 0.5) for
    // x ≥ 0, the mirror image below.
    const out = g * wordsPerGroup;
    if (bits === 4 || bits === 8 || bits === 2) {
      const per = 32 / bits;
      for (let k = 0; k < wordsPerGroup; k++) {
        let word = 0;
        for (let j = 0, i = base + k * per; j < per; j++, i++) {
          const x = fr(fr(vals[i]! - bias) / scale);
          let q = x >= 0 ? (x + 0.5) | 0 : -((0.5 - x) | 0);
          if (q > nBins) q = nBins;
          word |= q << (j * bits);
        }
        weight[out + k] = word >>> 0;
      }
    } else {
      for (let i = 0; i < groupSize; i++) {
        const x = fr(fr(vals[base + i]! - bias) / scale);
        const q = x >= 0 ? (x + 0.5) | 0 : -((0.5 - x) | 0);
        codes[i] = q > nBins ? nBins : q;
      }
      packBitsUnchecked(codes, 0, groupSize, bits, weight, out);
    }
  }
  return out;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function notFinite(w: Float32Array, vals: Float32Array, base: number, n: number, cols: number, name: string, castTo: ModelDtype | undefined, rowOffset: number): CortexError {
  let at = base;
  while (at < base + n && vals[at]! - vals[at]! === 0) at++;
  return new CortexError(
    "REQ_INVALID_ARGUMENT",
    `${name}: value ${w[at]} at row ${rowOffset + Math.floor(at / cols)}, column ${at % cols} is not finite${castTo ? ` in ${castTo}` : ""}; cannot quantize`,
  );
}

/** Input of affineDequantize: the arrays plus the layout they were made with. */
export type AffineQuantizedParts = Pick<AffineQuantized, "weight" | "scales" | "biases" | "rows" | "cols" | "bits" | "groupSize">;

/**
 * `w ≈ scale·q + bias` per element, in f32 (`fr(fr(scale·q) + bias)`). MLX's Metal dequantizer computes in
 * the weight dtype T, so for f16/bf16 models its output may differ from `roundToDtype` of this by one unit of
 * T; this is meant for checks and for `mlx_lm.convert -d`-style dequantization, not bit parity.
 */
export function affineDequantize(q: AffineQuantizedParts, out: Float32Array = new Float32Array(q.rows * q.cols)): Float32Array {
  const { rows, cols, bits, groupSize } = q;
  validateAffineParams(rows, cols, { bits, groupSize, name: "quantized weight" });
  const groups = rows * (cols / groupSize);
  const wordsPerGroup = (groupSize * bits) / 32;
  if (q.weight.length !== groups * wordsPerGroup) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `quantized weight: ${q.weight.length} words for [${rows}, ${cols}] at ${bits} bits (${groups * wordsPerGroup} expected)`);
  }
  if (q.scales.length !== groups || q.biases.length !== groups) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `quantized weight: scales/biases have ${q.scales.length}/${q.biases.length} entries (${groups} expected)`);
  }
  if (out.length !== rows * cols) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `quantized weight: out has ${out.length} elements (${rows * cols} expected)`);
  }
  const codes = new Uint8Array(groupSize);
  for (let g = 0; g < groups; g++) {
    unpackBits(q.weight, bits, groupSize, codes, g * wordsPerGroup);
    const s = q.scales[g]!;
    const b = q.biases[g]!;
    const base = g * groupSize;
    for (let i = 0; i < groupSize; i++) out[base + i] = fr(fr(s * codes[i]!) + b);
  }
  return out;
}

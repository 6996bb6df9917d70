/**
 * cortexd's "auto" MLX recipe (MlxOptions.recipe = "auto"): pick affine bits from the model's parameter count
 * and a memory budget. mlx-lm has no such rule; this one is ours:
 *
 * 1. `gpu_optimization_level = "maximum"` → 4-bit, whatever the budget (4-bit is the fastest well-supported
 *    width on Apple GPUs: mlx's qmv/qmm kernels have their fast paths for 4 and 8 bits, and 4-bit halves the
 *    memory traffic of 8-bit). `fits` still reports whether it fits.
 * 2. Otherwise the widest of 8, 6, 5, 4, 3, 2 bits whose estimated weight size fits in
 *    `budget × (1 − headroom)` (headroom default 20 %, left for the KV cache, activations and the runtime).
 * 3. If even 2-bit does not fit: 2-bit with `fits: false`; the caller decides whether to refuse.
 *
 * Estimated size = parameters × (bits + 2·8·sizeof(scale dtype)/group_size) / 8: packed codes plus one
 * scale and one bias per group (4.5 bits per weight at 4-bit, group 64, f16/bf16 scales). Unquantized
 * parameters (norms, biases) are ignored: well under 1 % for a decoder LLM.
 */
import { CortexError } from "../errors/cortex-error.js";
import { AFFINE_GROUP_SIZES, type AffineBits } from "./affine-quantize.js";
import { dtypeByteSize, type ModelDtype } from "./float-convert.js";

/** Widths tried by the auto recipe, widest (best quality) first. */
export const SIZE_RECIPE_LADDER: readonly AffineBits[] = [8, 6, 5, 4, 3, 2];

export interface SizeRecipeInput {
  /** Number of weights (e.g. the safetensors index `total_parameters`, or a sum over tensor shapes). */
  parameterCount: number;
  /** Memory the model may use, in bytes. */
  memoryBudgetBytes: number;
  /** `"maximum"` forces 4-bit; any other value (or none) uses the ladder. Case-insensitive. */
  gpuOptimizationLevel?: string;
  /** @default 64 */
  groupSize?: number;
  /** Dtype scales and biases are stored in. @default "bfloat16" */
  scaleDtype?: ModelDtype;
  /** Fraction of the budget kept free. @default 0.2 */
  headroom?: number;
}

export interface SizeRecipe {
  bits: AffineBits;
  groupSize: number;
  /** Estimated bytes of the quantized weights. */
  estimatedBytes: number;
  /** Whether `estimatedBytes ≤ budget × (1 − headroom)`. */
  fits: boolean;
  /** One line saying why, for job logs. */
  reason: string;
}

/** Bytes of a model of `parameterCount` weights quantized at `bits` (codes + scales + biases). */
export function estimateQuantizedBytes(parameterCount: number, bits: number, groupSize: number, scaleDtype: ModelDtype = "bfloat16"): number {
  const bitsPerWeight = bits + (2 * 8 * dtypeByteSize(scaleDtype)) / groupSize;
  return Math.ceil((parameterCount * bitsPerWeight) / 8);
}

/** Choose bits for the "auto" recipe (rule in the module comment). @throws CortexError REQ_INVALID_ARGUMENT */
export function recipeByModelSize(input: SizeRecipeInput): SizeRecipe {
  const { parameterCount, memoryBudgetBytes } = input;
  const groupSize = input.groupSize ?? 64;
  const headroom = input.headroom ?? 0.2;
  const scaleDtype = input.scaleDtype ?? "bfloat16";
  if (!Number.isFinite(parameterCount) || parameterCount <= 0) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `parameterCount must be a positive number, got ${parameterCount}`);
  }
  if (!Number.isFinite(memoryBudgetBytes) || memoryBudgetBytes <= 0) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `memoryBudgetBytes must be a positive number, got ${memoryBudgetBytes}`);
  }
  if (!(AFFINE_GROUP_SIZES as readonly number[]).includes(groupSize)) {
    throw new CortexError("FMT_UNSUPPORTED", `group size ${groupSize} is not supported by MLX affine quantization; allowed: ${AFFINE_GROUP_SIZES.join(", ")}`);
  }
  if (!(headroom >= 0 && headroom < 1)) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `headroom must be in [0, 1), got ${headroom}`);
  }
  const usable = memoryBudgetBytes * (1 - headroom);
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

  if (input.gpuOptimizationLevel?.toLowerCase() === "maximum") {
    const estimatedBytes = estimateQuantizedBytes(parameterCount, 4, groupSize, scaleDtype);
    const fits = estimatedBytes <= usable;
    return {
      bits: 4,
      groupSize,
      estimatedBytes,
      fits,
      reason: `gpu_optimization_level=maximum forces 4-bit (${gib(estimatedBytes)}, ${fits ? "fits" : "exceeds"} ${gib(usable)} usable)`,
    };
  }
  for (const bits of SIZE_RECIPE_LADDER) {
    const estimatedBytes = estimateQuantizedBytes(parameterCount, bits, groupSize, scaleDtype);
    if (estimatedBytes <= usable) {
      return { bits, groupSize, estimatedBytes, fits: true, reason: `${bits}-bit is the widest that fits: ${gib(estimatedBytes)} ≤ ${gib(usable)} usable` };
    }
  }
  const estimatedBytes = estimateQuantizedBytes(parameterCount, 2, groupSize, scaleDtype);
  return { bits: 2, groupSize, estimatedBytes, fits: false, reason: `even 2-bit (${gib(estimatedBytes)}) exceeds ${gib(usable)} usable` };
}

import { CortexError } from "../errors/cortex-error.js";

export const MLX_BITS = [2, 3, 4, 5, 6, 8] as const;
export const MLX_GROUP_SIZES = [32, 64, 128] as const;
export const MLX_DTYPES = ["float16", "bfloat16", "float32"] as const;
export const MLX_RECIPES = ["mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6", "auto"] as const;

export interface MlxOptionsInput {
  dtype?: string;
  bits?: number;
  group_size?: number;
  recipe?: string;
  quantize?: boolean;
  gpu_optimization_level?: string;
}

export interface MlxOptions {
  dtype: string;
  quantize: boolean;
  bits: number;
  groupSize: number;
  recipe: string;
  gpuOptimizationLevel: string;
}

/** Defaults as mlx_lm.convert: 4-bit, group 64 when quantizing; dtype from the checkpoint when empty. */
export function parseMlxOptions(input: MlxOptionsInput | null | undefined): MlxOptions {
  const o = input ?? {};
  const dtype = o.dtype ?? "";
  if (dtype && !(MLX_DTYPES as readonly string[]).includes(dtype)) throw new CortexError("REQ_INVALID_ARGUMENT", `mlx.dtype: "${dtype}" is not one of ${MLX_DTYPES.join(", ")}`);
  const recipe = o.recipe ?? "";
  if (recipe && !(MLX_RECIPES as readonly string[]).includes(recipe)) throw new CortexError("REQ_INVALID_ARGUMENT", `mlx.recipe: "${recipe}" is not one of ${MLX_RECIPES.join(", ")}`);
  const bits = o.bits || 4;
  if (!(MLX_BITS as readonly number[]).includes(bits)) throw new CortexError("REQ_INVALID_ARGUMENT", `mlx.bits: ${bits} is not one of ${MLX_BITS.join(", ")}`);
  const groupSize = o.group_size || 64;
  if (!(MLX_GROUP_SIZES as readonly number[]).includes(groupSize)) throw new CortexError("REQ_INVALID_ARGUMENT", `mlx.group_size: ${groupSize} is not one of ${MLX_GROUP_SIZES.join(", ")}`);
  const level = o.gpu_optimization_level ?? "";
  if (level && level !== "maximum" && level !== "default") throw new CortexError("REQ_INVALID_ARGUMENT", `mlx.gpu_optimization_level: "${level}" is not "maximum" or "default"`);
  const quantize = Boolean(o.quantize || o.bits || o.recipe || level === "maximum");
  return { dtype, quantize, bits, groupSize, recipe, gpuOptimizationLevel: level };
}

/** Output names become folder/file names under CORTEX_HOME: no separators, no traversal. */
export function parseOutputName(value: string | undefined): string {
  const v = (value ?? "").trim();
  if (v === "") return "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v) || v.includes("..")) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `output_name "${value}": use letters, digits, '.', '_' and '-' only (no paths)`);
  }
  return v;
}

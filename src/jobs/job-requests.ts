import { CortexError } from "../errors/cortex-error.js";

/** GGUF quantization types cortexd produces (llama-quantize names). */
export const GGUF_QUANT_TYPES = ["Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q3_K_M", "Q2_K", "F16", "BF16"] as const;
export type GgufQuantType = (typeof GGUF_QUANT_TYPES)[number];
/** Plain conversion outtypes (convert_hf_to_gguf's --outtype); quantization types are accepted too (one pass). */
export const GGUF_OUTTYPES = ["f32", "f16", "bf16", "q8_0"] as const;
export const MLX_BITS = [2, 3, 4, 5, 6, 8] as const;
export const MLX_GROUP_SIZES = [32, 64, 128] as const;
export const MLX_DTYPES = ["float16", "bfloat16", "float32"] as const;
export const MLX_RECIPES = ["mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6", "auto"] as const;

export function parseQuantType(field: string, value: string): GgufQuantType {
  const t = value.trim().toUpperCase();
  if (!(GGUF_QUANT_TYPES as readonly string[]).includes(t)) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${field}: unsupported quantization type "${value}" (supported: ${GGUF_QUANT_TYPES.join(", ")})`);
  }
  return t as GgufQuantType;
}

/** GGUF --outtype: f32/f16/bf16/q8_0, or any quantization type for the one-pass path. Default f16. */
export function parseOuttype(value: string): string {
  const v = value.trim();
  if (v === "") return "f16";
  if ((GGUF_OUTTYPES as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase();
  return parseQuantType("outtype", v);
}

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

import { CortexError } from "../errors/cortex-error.js";

/**
 * cortexd's one quantization vocabulary. Store names are the proto `Quantization` enum names without their
 * prefix (`Q4_K_M` ↔ `QUANTIZATION_Q4_K_M`); GGUF types keep llama.cpp's names; the words users type (`f16`,
 * `q4_k`, `mlx`) map onto them here and nowhere else.
 */
export const QUANTIZATIONS = [
  "NONE", "FP32", "FP16", "BF16", "INT8", "INT4", "GPTQ", "AWQ", "FP8",
  "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q5_1", "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "Q3_K_M", "Q3_K_S", "Q3_K_L", "Q2_K",
  "GGUF_OTHER", "MLX_AFFINE", "MLX_MXFP4", "MLX_NVFP4", "MLX_MXFP8",
] as const;
export type QuantizationName = (typeof QUANTIZATIONS)[number] | "UNSPECIFIED";

/** GGUF quantization types cortexd produces (llama-quantize names). */
export const GGUF_QUANT_TYPES = ["Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q3_K_M", "Q2_K", "F16", "BF16"] as const;
export type GgufQuantType = (typeof GGUF_QUANT_TYPES)[number];
/** Plain conversion outtypes (convert_hf_to_gguf's --outtype); quantization types are accepted too (one pass). */
export const GGUF_OUTTYPES = ["auto", "f32", "f16", "bf16", "q8_0"] as const;

/** Words users type for a store quantization, beside the store names themselves (case-insensitive). */
const ALIASES: Readonly<Record<string, QuantizationName>> = { F16: "FP16", F32: "FP32", MLX: "MLX_AFFINE", Q4_K: "Q4_K_M", Q5_K: "Q5_K_M", Q3_K: "Q3_K_M" };

/**
 * `q4_k_m`, `f16`, `mlx`, `QUANTIZATION_INT4` → the store name; anything else is undefined (never a default).
 */
export function quantizationName(word: string): QuantizationName | undefined {
  const up = word.trim().toUpperCase().replace(/^QUANTIZATION_/, "");
  const name = ALIASES[up] ?? up;
  return (QUANTIZATIONS as readonly string[]).includes(name) ? (name as QuantizationName) : undefined;
}

/** A GGUF quantization type a job can produce, or QUANT_UNSUPPORTED_TYPE naming the field and the input. */
export function parseQuantType(field: string, value: string): GgufQuantType {
  const t = value.trim().toUpperCase();
  if (!(GGUF_QUANT_TYPES as readonly string[]).includes(t)) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${field}: unsupported quantization type "${value}" (supported: ${GGUF_QUANT_TYPES.join(", ")})`);
  }
  return t as GgufQuantType;
}

/**
 * GGUF --outtype: auto/f32/f16/bf16/q8_0, or any quantization type for the one-pass path. Default auto: an
 * MLX-quantized model's bit-exact mapping (Q4_1, Q5_1…), F16 for a float checkpoint.
 */
export function parseOuttype(value: string): string {
  const v = value.trim();
  if (v === "") return "auto";
  if ((GGUF_OUTTYPES as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase();
  return parseQuantType("outtype", v);
}

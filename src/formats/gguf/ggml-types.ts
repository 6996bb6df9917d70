import { CortexError } from "../../errors/cortex-error.js";

/**
 * `enum ggml_type` (ggml/include/ggml.h of the llama.cpp bundled with node-llama-cpp, commit de3ff81).
 * Ids 4, 5 and 31–33, 36–38 were removed upstream and are not valid in GGUF files.
 */
export const GGML_TYPE = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
  NVFP4: 40,
  Q1_0: 41,
  Q2_0: 42,
} as const;

export type GgmlTypeName = keyof typeof GGML_TYPE;
export type GgmlType = (typeof GGML_TYPE)[GgmlTypeName];

/** `GGML_TYPE_COUNT`: ids must be below this. */
export const GGML_TYPE_COUNT = 43;

const QK_K = 256;

/** Elements per block and bytes per block (gguf-py `GGML_QUANT_SIZES`, ggml `type_traits`). */
export const GGML_TYPE_SIZES: Readonly<Record<GgmlTypeName, readonly [blockSize: number, typeSize: number]>> = {
  F32: [1, 4],
  F16: [1, 2],
  Q4_0: [32, 2 + 16],
  Q4_1: [32, 2 + 2 + 16],
  Q5_0: [32, 2 + 4 + 16],
  Q5_1: [32, 2 + 2 + 4 + 16],
  Q8_0: [32, 2 + 32],
  Q8_1: [32, 2 + 2 + 32],
  Q2_K: [QK_K, 2 + 2 + QK_K / 16 + QK_K / 4],
  Q3_K: [QK_K, 2 + QK_K / 4 + QK_K / 8 + 12],
  Q4_K: [QK_K, 2 + 2 + QK_K / 2 + 12],
  Q5_K: [QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12],
  Q6_K: [QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16],
  Q8_K: [QK_K, 4 + QK_K + QK_K / 8],
  IQ2_XXS: [QK_K, 2 + QK_K / 4],
  IQ2_XS: [QK_K, 2 + QK_K / 4 + QK_K / 32],
  IQ3_XXS: [QK_K, 2 + QK_K / 4 + QK_K / 8],
  IQ1_S: [QK_K, 2 + QK_K / 8 + QK_K / 16],
  IQ4_NL: [32, 2 + 16],
  IQ3_S: [QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4],
  IQ2_S: [QK_K, 2 + QK_K / 4 + QK_K / 16],
  IQ4_XS: [QK_K, 2 + 2 + QK_K / 2 + QK_K / 64],
  I8: [1, 1],
  I16: [1, 2],
  I32: [1, 4],
  I64: [1, 8],
  F64: [1, 8],
  IQ1_M: [QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32],
  BF16: [1, 2],
  TQ1_0: [QK_K, 2 + 4 * 13],
  TQ2_0: [QK_K, 2 + 64],
  MXFP4: [32, 1 + 16],
  NVFP4: [64, 4 + 32],
  Q1_0: [128, 2 + 16],
  Q2_0: [64, 2 + 16],
};

const NAME_BY_ID = new Map<number, GgmlTypeName>(Object.entries(GGML_TYPE).map(([k, v]) => [v, k as GgmlTypeName]));

export function isGgmlType(id: number): id is GgmlType {
  return NAME_BY_ID.has(id);
}

/** Upstream name of a type id ("Q4_K"), or undefined for removed/unknown ids. */
export function ggmlTypeName(id: number): GgmlTypeName | undefined {
  return NAME_BY_ID.get(id);
}

/** [elements per block, bytes per block]; throws FMT_UNSUPPORTED for an unknown id. */
export function ggmlBlockInfo(type: number): readonly [number, number] {
  const name = NAME_BY_ID.get(type);
  if (!name) throw new CortexError("FMT_UNSUPPORTED", `unknown ggml type id ${type}`);
  return GGML_TYPE_SIZES[name];
}

/**
 * Bytes of one row of `ne` elements (`ggml_row_size`).
 * @throws CortexError FMT_INVALID if ne is not a multiple of the block size.
 */
export function rowSize(type: number, ne: number): number {
  const [block, size] = ggmlBlockInfo(type);
  if (ne % block !== 0) throw new CortexError("FMT_INVALID", `${ne} elements per row is not a multiple of the ${ggmlTypeName(type)} block size ${block}`);
  return (ne / block) * size;
}

/** Bytes of a tensor with ggml dims `ne` (ne[0] = contiguous axis) (`ggml_nbytes` for contiguous tensors). */
export function tensorByteSize(type: number, ne: readonly number[]): number {
  let rows = 1;
  for (let i = 1; i < ne.length; i++) rows *= ne[i]!;
  return rowSize(type, ne[0] ?? 1) * rows;
}

/** `enum llama_ftype` (include/llama.h), stored as `general.file_type`. */
export const LLAMA_FTYPE = {
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q4_0: 2,
  MOSTLY_Q4_1: 3,
  MOSTLY_Q8_0: 7,
  MOSTLY_Q5_0: 8,
  MOSTLY_Q5_1: 9,
  MOSTLY_Q2_K: 10,
  MOSTLY_Q3_K_S: 11,
  MOSTLY_Q3_K_M: 12,
  MOSTLY_Q3_K_L: 13,
  MOSTLY_Q4_K_S: 14,
  MOSTLY_Q4_K_M: 15,
  MOSTLY_Q5_K_S: 16,
  MOSTLY_Q5_K_M: 17,
  MOSTLY_Q6_K: 18,
  MOSTLY_IQ2_XXS: 19,
  MOSTLY_IQ2_XS: 20,
  MOSTLY_Q2_K_S: 21,
  MOSTLY_IQ3_XS: 22,
  MOSTLY_IQ3_XXS: 23,
  MOSTLY_IQ1_S: 24,
  MOSTLY_IQ4_NL: 25,
  MOSTLY_IQ3_S: 26,
  MOSTLY_IQ3_M: 27,
  MOSTLY_IQ2_S: 28,
  MOSTLY_IQ2_M: 29,
  MOSTLY_IQ4_XS: 30,
  MOSTLY_IQ1_M: 31,
  MOSTLY_BF16: 32,
  MOSTLY_TQ1_0: 36,
  MOSTLY_TQ2_0: 37,
  MOSTLY_MXFP4_MOE: 38,
  MOSTLY_NVFP4: 39,
  MOSTLY_Q1_0: 40,
  MOSTLY_Q2_0: 41,
  GUESSED: 1024,
} as const;

export type LlamaFtypeName = keyof typeof LLAMA_FTYPE;
export type LlamaFtype = (typeof LLAMA_FTYPE)[LlamaFtypeName];

const FTYPE_BY_ID = new Map<number, LlamaFtypeName>(Object.entries(LLAMA_FTYPE).map(([k, v]) => [v, k as LlamaFtypeName]));

/** Upstream name of a file type without the LLAMA_FTYPE_ prefix ("MOSTLY_Q4_K_M"), or undefined. */
export function llamaFtypeName(id: number): LlamaFtypeName | undefined {
  return FTYPE_BY_ID.get(id);
}

/**
 * The short label used in file names and by llama-quantize ("Q4_K_M", "F16", "BF16", "F32").
 * convert_hf_to_gguf takes the ftype name after the first "_".
 */
export function llamaFtypeLabel(id: number): string | undefined {
  const name = FTYPE_BY_ID.get(id);
  if (!name) return undefined;
  if (name === "ALL_F32") return "F32";
  if (name === "GUESSED") return "GUESSED";
  return name.slice("MOSTLY_".length);
}

/** Parse a quantization label ("Q4_K_M", "q8_0", "F16"; aliases Q4_K → Q4_K_M, Q5_K → Q5_K_M, Q3_K → Q3_K_M). */
export function parseLlamaFtype(label: string): LlamaFtype | undefined {
  const up = label.toUpperCase();
  const alias: Record<string, string> = { Q4_K: "Q4_K_M", Q5_K: "Q5_K_M", Q3_K: "Q3_K_M" };
  const key = up === "F32" ? "ALL_F32" : `MOSTLY_${alias[up] ?? up}`;
  return Object.prototype.hasOwnProperty.call(LLAMA_FTYPE, key) ? LLAMA_FTYPE[key as LlamaFtypeName] : undefined;
}

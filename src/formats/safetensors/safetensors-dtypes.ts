/**
 * safetensors dtypes with their element sizes, in the reference Rust enum order ("increasing alignment"),
 * which the reference writer uses (reversed) to order tensors. F8_E8M0 and C64 come from newer
 * safetensors / MLX readers.
 */
export const SAFETENSORS_DTYPES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** Sub-byte kinds newer safetensors releases define; recognised but not supported here. */
export const SUB_BYTE_SAFETENSORS_DTYPES: readonly string[] = ["F4", "F6_E2M3", "F6_E3M2"];

const ORDER: readonly string[] = Object.keys(SAFETENSORS_DTYPES);

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, value);
}

/** Bytes per element of a dtype. */
export function safetensorsDtypeSize(dtype: SafetensorsDtype): number {
  return SAFETENSORS_DTYPES[dtype];
}

/** Position in the reference enum order (used for the reference writer's "descending alignment" sort). */
export function safetensorsDtypeRank(dtype: SafetensorsDtype): number {
  return ORDER.indexOf(dtype);
}

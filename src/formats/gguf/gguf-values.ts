/** `enum gguf_type`: the type tag of a GGUF metadata value. */
export const GGUF_VALUE_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

export type GgufValueTypeName = keyof typeof GGUF_VALUE_TYPE;
export type GgufValueType = (typeof GGUF_VALUE_TYPE)[GgufValueTypeName];

const NAMES = new Map<number, GgufValueTypeName>(Object.entries(GGUF_VALUE_TYPE).map(([k, v]) => [v, k as GgufValueTypeName]));

export function ggufValueTypeName(id: number): GgufValueTypeName | undefined {
  return NAMES.get(id);
}

/** "GGUF" as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml `GGML_MAX_DIMS`. */
export const GGML_MAX_DIMS = 4;
/** ggml `GGML_MAX_NAME` (64, NUL included): tensor names are at most 63 bytes. */
export const GGML_MAX_NAME = 64;

/** Byte size of a fixed-size value type, undefined for STRING / ARRAY. */
export function ggufScalarSize(type: number): number | undefined {
  switch (type) {
    case GGUF_VALUE_TYPE.UINT8:
    case GGUF_VALUE_TYPE.INT8:
    case GGUF_VALUE_TYPE.BOOL:
      return 1;
    case GGUF_VALUE_TYPE.UINT16:
    case GGUF_VALUE_TYPE.INT16:
      return 2;
    case GGUF_VALUE_TYPE.UINT32:
    case GGUF_VALUE_TYPE.INT32:
    case GGUF_VALUE_TYPE.FLOAT32:
      return 4;
    case GGUF_VALUE_TYPE.UINT64:
    case GGUF_VALUE_TYPE.INT64:
    case GGUF_VALUE_TYPE.FLOAT64:
      return 8;
    default:
      return undefined;
  }
}

/**
 * Items of a GGUF array: a typed array for numeric item types (memory ≈ file bytes), `boolean[]`,
 * `string[]`, or nested arrays.
 */
export type GgufArrayItems =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | boolean[]
  | string[]
  | GgufArray[];

export interface GgufArray {
  readonly itemType: GgufValueType;
  readonly items: GgufArrayItems;
}

/** A metadata value: numbers for ≤ 32-bit ints and floats, bigint for (U)INT64, boolean, string, array. */
export type GgufValue = number | bigint | boolean | string | GgufArray;

/** A typed metadata entry. */
export interface GgufKv {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

import { CortexError } from "../../errors/cortex-error.js";
import type { BoundedFileReader } from "../bounded-file-reader.js";
import { GGUF_VALUE_TYPE as T, ggufScalarSize, ggufValueTypeName, type GgufArray, type GgufArrayItems, type GgufValue, type GgufValueType } from "./gguf-values.js";

/** @internal Limits for value parsing. */
export interface ValueLimits {
  readonly maxStringBytes: number;
  readonly maxArrayDepth: number;
}

function invalid(r: BoundedFileReader, msg: string): CortexError {
  return new CortexError("FMT_INVALID", `${r.label}: ${msg}`);
}

/** Read one string value: u64 length (bounded by the limit and the remaining bytes), then lossy UTF-8. */
async function readString(r: BoundedFileReader, what: string, limits: ValueLimits): Promise<string> {
  let p = r.need(8, what);
  if (p) await p;
  const len = r.u64n();
  if (len > limits.maxStringBytes) throw invalid(r, `${what}: string length ${len} exceeds the limit of ${limits.maxStringBytes} bytes`);
  if (len > r.remaining) throw invalid(r, `${what}: string length ${len} exceeds the remaining ${r.remaining} bytes`);
  p = r.need(len, what);
  if (p) await p;
  return r.utf8(len);
}

function readScalar(r: BoundedFileReader, type: number): number | bigint | boolean {
  switch (type) {
    case T.UINT8:
      return r.u8();
    case T.INT8:
      return r.i8();
    case T.UINT16:
      return r.u16();
    case T.INT16:
      return r.i16();
    case T.UINT32:
      return r.u32();
    case T.INT32:
      return r.i32();
    case T.FLOAT32:
      return r.f32();
    case T.BOOL:
      return r.u8() !== 0;
    case T.UINT64:
      return r.u64();
    case T.INT64:
      return r.i64();
    default:
      return r.f64();
  }
}

/** @internal Read a value of `type` at the reader's position; `what` names it in errors. */
export async function readGgufValue(r: BoundedFileReader, type: number, what: string, limits: ValueLimits, depth: number): Promise<GgufValue> {
  const size = ggufScalarSize(type);
  if (size !== undefined) {
    const p = r.need(size, what);
    if (p) await p;
    return readScalar(r, type);
  }
  if (type === T.STRING) return readString(r, what, limits);
  if (type === T.ARRAY) return readArray(r, what, limits, depth + 1);
  throw invalid(r, `${what}: invalid value type ${type}`);
}

function typedArrayFor(type: number, bytes: ArrayBuffer, count: number): GgufArrayItems | undefined {
  switch (type) {
    case T.UINT8:
      return new Uint8Array(bytes, 0, count);
    case T.INT8:
      return new Int8Array(bytes, 0, count);
    case T.UINT16:
      return new Uint16Array(bytes, 0, count);
    case T.INT16:
      return new Int16Array(bytes, 0, count);
    case T.UINT32:
      return new Uint32Array(bytes, 0, count);
    case T.INT32:
      return new Int32Array(bytes, 0, count);
    case T.FLOAT32:
      return new Float32Array(bytes, 0, count);
    case T.FLOAT64:
      return new Float64Array(bytes, 0, count);
    case T.UINT64:
      return new BigUint64Array(bytes, 0, count);
    case T.INT64:
      return new BigInt64Array(bytes, 0, count);
    default:
      return undefined;
  }
}

async function readArray(r: BoundedFileReader, what: string, limits: ValueLimits, depth: number): Promise<GgufArray> {
  if (depth > limits.maxArrayDepth) throw invalid(r, `${what}: arrays nested deeper than ${limits.maxArrayDepth}`);
  let p = r.need(12, `${what} array header`);
  if (p) await p;
  const itemType = r.u32();
  const count = r.u64n();
  if (ggufValueTypeName(itemType) === undefined) throw invalid(r, `${what}: array has invalid item type ${itemType}`);
  // Smallest encoding of one item: its fixed size, 8 for a string length, 12 for a nested array header.
  const minItem = ggufScalarSize(itemType) ?? (itemType === T.STRING ? 8 : 12);
  if (count * minItem > r.remaining) {
    throw invalid(r, `${what}: array of ${count} ${ggufValueTypeName(itemType)} items cannot fit in the remaining ${r.remaining} bytes`);
  }
  const type = itemType as GgufValueType;
  if (itemType === T.BOOL) {
    const items: boolean[] = new Array<boolean>(count);
    const bytes = new Uint8Array(count);
    await r.copyTo(bytes, what);
    for (let i = 0; i < count; i++) items[i] = bytes[i] !== 0;
    return { itemType: type, items };
  }
  const size = ggufScalarSize(itemType);
  if (size !== undefined) {
    // A fresh, aligned ArrayBuffer holding the little-endian items (all supported hosts are little-endian).
    const buf = new ArrayBuffer(count * size);
    await r.copyTo(new Uint8Array(buf), what);
    return { itemType: type, items: typedArrayFor(itemType, buf, count)! };
  }
  if (itemType === T.STRING) {
    const items: string[] = new Array<string>(count);
    const itemWhat = `${what} item`;
    for (let i = 0; i < count; i++) {
      p = r.need(8, itemWhat);
      if (p) await p;
      const len = r.u64n();
      if (len > limits.maxStringBytes) throw invalid(r, `${what}[${i}]: string length ${len} exceeds the limit of ${limits.maxStringBytes} bytes`);
      if (len > r.remaining) throw invalid(r, `${what}[${i}]: string length ${len} exceeds the remaining ${r.remaining} bytes`);
      p = r.need(len, itemWhat);
      if (p) await p;
      items[i] = r.utf8(len);
    }
    return { itemType: type, items };
  }
  const items: GgufArray[] = new Array<GgufArray>(count);
  for (let i = 0; i < count; i++) items[i] = await readArray(r, `${what}[${i}]`, limits, depth + 1);
  return { itemType: type, items };
}

import { CortexError } from "../../errors/cortex-error.js";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName, type GgufValue } from "./gguf-values.js";

/** Integer ranges of the fixed-size integer value types. */
const INT_RANGES: Record<number, readonly [number, number]> = {
  [T.UINT8]: [0, 0xff],
  [T.INT8]: [-0x80, 0x7f],
  [T.UINT16]: [0, 0xffff],
  [T.INT16]: [-0x8000, 0x7fff],
  [T.UINT32]: [0, 0xffffffff],
  [T.INT32]: [-0x80000000, 0x7fffffff],
};

/** A JS value accepted for an array item or a scalar. */
export type GgufInputValue = number | bigint | boolean | string | GgufInputArray;
/** An array value for the writer: item type and items (typed arrays accepted). */
export interface GgufInputArray {
  readonly itemType: number;
  readonly items: ArrayLike<number | bigint | boolean | string | GgufInputArray> | readonly GgufValue[];
}

/**
 * Growable little-endian byte buffer with GGUF encoders. Also used by test fixtures to build deliberately
 * malformed files, so the raw writers (`u32`, `u64`, `rawString`) do not validate.
 */
export class GgufByteBuilder {
  private buf = Buffer.alloc(4096);
  private len = 0;

  get length(): number {
    return this.len;
  }

  /** Grow by n bytes and return their offset. May replace `this.buf`: call it before touching the buffer. */
  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  u8(v: number): this {
    const at = this.reserve(1);
    this.buf.writeUInt8(v, at);
    return this;
  }
  i8(v: number): this {
    const at = this.reserve(1);
    this.buf.writeInt8(v, at);
    return this;
  }
  u16(v: number): this {
    const at = this.reserve(2);
    this.buf.writeUInt16LE(v, at);
    return this;
  }
  i16(v: number): this {
    const at = this.reserve(2);
    this.buf.writeInt16LE(v, at);
    return this;
  }
  u32(v: number): this {
    const at = this.reserve(4);
    this.buf.writeUInt32LE(v, at);
    return this;
  }
  i32(v: number): this {
    const at = this.reserve(4);
    this.buf.writeInt32LE(v, at);
    return this;
  }
  f32(v: number): this {
    const at = this.reserve(4);
    this.buf.writeFloatLE(v, at);
    return this;
  }
  f64(v: number): this {
    const at = this.reserve(8);
    this.buf.writeDoubleLE(v, at);
    return this;
  }
  u64(v: number | bigint): this {
    const at = this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), at);
    return this;
  }
  i64(v: number | bigint): this {
    const at = this.reserve(8);
    this.buf.writeBigInt64LE(BigInt(v), at);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.reserve(b.length); // may replace this.buf, so reserve before touching it
    this.buf.set(b, at);
    return this;
  }
  /** gguf_string: u64 byte length + UTF-8 bytes (no NUL). */
  rawString(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.u64(b.length).bytes(b);
  }
  /** Zero bytes up to the next multiple of `alignment` of the current length. */
  padTo(alignment: number): this {
    const pad = (alignment - (this.len % alignment)) % alignment;
    this.reserve(pad);
    return this;
  }

  /** Encode a value of `type` (without the type tag), validating ranges. `what` names it in errors. */
  value(type: number, v: GgufInputValue, what: string): this {
    const bad = (expect: string): CortexError =>
      new CortexError("INTERNAL", `gguf writer: ${what} must be ${expect} for ${ggufValueTypeName(type) ?? `type ${type}`}, got ${typeof v === "bigint" ? `${v}n` : JSON.stringify(v)}`);
    switch (type) {
      case T.UINT8:
      case T.INT8:
      case T.UINT16:
      case T.INT16:
      case T.UINT32:
      case T.INT32: {
        const [lo, hi] = INT_RANGES[type]!;
        const n = typeof v === "bigint" ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n) || n < lo || n > hi) throw bad(`an integer in [${lo}, ${hi}]`);
        if (type === T.UINT8) return this.u8(n);
        if (type === T.INT8) return this.i8(n);
        if (type === T.UINT16) return this.u16(n);
        if (type === T.INT16) return this.i16(n);
        if (type === T.UINT32) return this.u32(n);
        return this.i32(n);
      }
      case T.UINT64:
      case T.INT64: {
        if (typeof v === "number" && !Number.isSafeInteger(v)) throw bad("a safe integer or bigint");
        if (typeof v !== "number" && typeof v !== "bigint") throw bad("an integer");
        const b = BigInt(v);
        if (type === T.UINT64 ? b < 0n || b >= 1n << 64n : b < -(1n << 63n) || b >= 1n << 63n) throw bad("in range");
        return type === T.UINT64 ? this.u64(b) : this.i64(b);
      }
      case T.FLOAT32:
      case T.FLOAT64:
        if (typeof v !== "number") throw bad("a number");
        return type === T.FLOAT32 ? this.f32(v) : this.f64(v);
      case T.BOOL:
        if (typeof v !== "boolean") throw bad("a boolean");
        return this.u8(v ? 1 : 0);
      case T.STRING:
        if (typeof v !== "string") throw bad("a string");
        return this.rawString(v);
      case T.ARRAY: {
        if (typeof v !== "object" || v === null || !("itemType" in v)) throw bad("{itemType, items}");
        if (ggufValueTypeName(v.itemType) === undefined) throw bad("an array with a valid item type");
        this.u32(v.itemType).u64(v.items.length);
        for (let i = 0; i < v.items.length; i++) this.value(v.itemType, v.items[i] as GgufInputValue, `${what}[${i}]`);
        return this;
      }
      default:
        throw new CortexError("INTERNAL", `gguf writer: ${what} has invalid value type ${type}`);
    }
  }

  /** The bytes written so far (a view; copy before further writes if kept). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

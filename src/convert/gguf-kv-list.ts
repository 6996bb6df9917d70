import type { GgufInputValue } from "../formats/gguf/gguf-byte-builder.js";
import type { GgufWriter } from "../formats/gguf/gguf-writer.js";
import { GGUF_VALUE_TYPE as T, type GgufValueType } from "../formats/gguf/gguf-values.js";

/** One metadata entry as it will be written. */
export interface KvEntry {
  readonly key: string;
  readonly type: GgufValueType;
  readonly value: GgufInputValue;
}

/**
 * Ordered GGUF metadata with gguf-py GGUFWriter's semantics, so keys land in the order convert_hf_to_gguf.py
 * writes them: setting an existing key overwrites it in place (a Python dict), `string()` skips empty strings
 * and the array setters skip empty arrays (`add_string` / `add_array`), integers are UINT32 and floats FLOAT32
 * unless a method says otherwise.
 */
export class GgufKvList {
  private readonly map = new Map<string, KvEntry>();

  set(key: string, type: GgufValueType, value: GgufInputValue): this {
    this.map.set(key, { key, type, value });
    return this;
  }

  /** llama.cpp's gguf_set_*: remove, then append (the key moves to the end). */
  setLast(key: string, type: GgufValueType, value: GgufInputValue): this {
    this.map.delete(key);
    return this.set(key, type, value);
  }

  remove(key: string): this {
    this.map.delete(key);
    return this;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): KvEntry | undefined {
    return this.map.get(key);
  }

  uint32(key: string, v: number): this {
    return this.set(key, T.UINT32, v);
  }

  int32(key: string, v: number): this {
    return this.set(key, T.INT32, v);
  }

  float32(key: string, v: number): this {
    return this.set(key, T.FLOAT32, v);
  }

  bool(key: string, v: boolean): this {
    return this.set(key, T.BOOL, v);
  }

  /** Skips empty strings, like gguf-py's add_string. */
  string(key: string, v: string): this {
    return v === "" ? this : this.set(key, T.STRING, v);
  }

  /** Array of strings; skipped when empty. */
  stringArray(key: string, items: readonly string[]): this {
    return items.length === 0 ? this : this.set(key, T.ARRAY, { itemType: T.STRING, items });
  }

  /** Array of INT32 (gguf-py writes Python ints as INT32 items); skipped when empty. */
  int32Array(key: string, items: ArrayLike<number>): this {
    return items.length === 0 ? this : this.set(key, T.ARRAY, { itemType: T.INT32, items });
  }

  /** Array of FLOAT32; skipped when empty. */
  float32Array(key: string, items: ArrayLike<number>): this {
    return items.length === 0 ? this : this.set(key, T.ARRAY, { itemType: T.FLOAT32, items });
  }

  entries(): KvEntry[] {
    return [...this.map.values()];
  }

  get size(): number {
    return this.map.size;
  }

  /** Add every entry to a GGUF writer, in order. */
  writeTo(writer: GgufWriter): void {
    for (const e of this.map.values()) writer.addKv(e.key, e.type, e.value);
  }
}

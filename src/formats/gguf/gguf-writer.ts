import { CortexError } from "../../errors/cortex-error.js";
import { AtomicFile, asBytes } from "../atomic-file.js";
import { GgufByteBuilder, type GgufInputValue } from "./gguf-byte-builder.js";
import { ggmlTypeName, tensorByteSize } from "./ggml-types.js";
import { GGML_MAX_DIMS, GGML_MAX_NAME, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE as T, type GgufValueType } from "./gguf-values.js";

/** A tensor declared to the writer. */
export interface GgufTensorDecl {
  readonly name: string;
  /** ggml dims, ne[0] first (reverse of the numpy/safetensors shape; see {@link ggufDimsFromShape}). */
  readonly dims: readonly number[];
  /** ggml_type id. */
  readonly type: number;
}

/** A declared tensor with its assigned data offset and size. */
export interface PlannedGgufTensor extends GgufTensorDecl {
  readonly byteSize: number;
  /** Offset relative to the data section (multiple of the alignment). */
  readonly offset: number;
}

export interface GgufWriterOptions {
  /**
   * Data alignment. Anything but 32 needs a `general.alignment` (UINT32) KV: add it where gguf-py's
   * add_custom_alignment would (any value other than this alignment is refused), or the writer appends it
   * last when the header is written.
   * @default 32
   */
  readonly alignment?: number;
  /** fsync before the rename. @default true */
  readonly fsync?: boolean;
}

/** numpy/safetensors shape → ggml dims (reversed). */
export function ggufDimsFromShape(shape: readonly number[]): number[] {
  return [...shape].reverse();
}

const pad = (x: number, n: number): number => Math.ceil(x / n) * n;

/**
 * Streaming GGUF v3 writer with gguf-py GGUFWriter's layout: header, KVs in insertion order, tensor infos in
 * insertion order, zero padding to the alignment, then each tensor's data followed by zero padding to the
 * alignment (after the last one too); tensor offsets accumulate `pad(nbytes, alignment)`.
 * Usage: add KVs and tensor infos → `writeHeader()` → `writeTensorData()` in order → `finish()`.
 * The file is written to `<path>.tmp-<pid>` and renamed by `finish()`; `abort()` removes it.
 */
export class GgufWriter {
  /** key → encoded type tag + value (encoded when added, so later mutation of the input has no effect). */
  private readonly kvs = new Map<string, Buffer>();
  private readonly tensors: PlannedGgufTensor[] = [];
  private dataSize = 0;
  private state: "declaring" | "writing" | "done" = "declaring";
  private cursor = 0;
  private written = 0;

  private constructor(
    private readonly file: AtomicFile,
    readonly alignment: number,
    private readonly fsync: boolean,
  ) {}

  static async create(path: string, options: GgufWriterOptions = {}): Promise<GgufWriter> {
    const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
    if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
      throw new CortexError("INTERNAL", `gguf writer: alignment ${alignment} is not a power of two`);
    }
    return new GgufWriter(await AtomicFile.create(path), alignment, options.fsync ?? true);
  }

  get path(): string {
    return this.file.path;
  }

  get tempPath(): string {
    return this.file.tempPath;
  }

  /** Tensors with their assigned offsets, in write order. */
  get plannedTensors(): readonly PlannedGgufTensor[] {
    return this.tensors;
  }

  private assertDeclaring(what: string): void {
    if (this.state !== "declaring") throw new CortexError("INTERNAL", `${this.path}: ${what} after writeHeader()`);
  }

  /** Add a typed KV (value validated against the type when the header is built). Throws on a duplicate key. */
  addKv(key: string, type: GgufValueType, value: GgufInputValue): this {
    this.assertDeclaring(`addKv("${key}")`);
    if (key === "") throw new CortexError("INTERNAL", "gguf writer: empty key");
    if (this.kvs.has(key)) throw new CortexError("INTERNAL", `gguf writer: duplicate key "${key}"`);
    if (key === "general.alignment" && (type !== T.UINT32 || value !== this.alignment)) {
      throw new CortexError("INTERNAL", `gguf writer: general.alignment must be UINT32 ${this.alignment} (the writer's alignment)`);
    }
    // Encode now so a bad value fails at the call site.
    const b = new GgufByteBuilder().rawString(key).u32(type).value(type, value, `key "${key}"`);
    this.kvs.set(key, Buffer.from(b.view()));
    return this;
  }

  /** Remove a KV (e.g. to re-append it last, as llama-quantize does). */
  removeKv(key: string): this {
    this.assertDeclaring(`removeKv("${key}")`);
    this.kvs.delete(key);
    return this;
  }

  hasKv(key: string): boolean {
    return this.kvs.has(key);
  }

  addUint8(key: string, v: number): this { return this.addKv(key, T.UINT8, v); }
  addInt8(key: string, v: number): this { return this.addKv(key, T.INT8, v); }
  addUint16(key: string, v: number): this { return this.addKv(key, T.UINT16, v); }
  addInt16(key: string, v: number): this { return this.addKv(key, T.INT16, v); }
  addUint32(key: string, v: number): this { return this.addKv(key, T.UINT32, v); }
  addInt32(key: string, v: number): this { return this.addKv(key, T.INT32, v); }
  addUint64(key: string, v: number | bigint): this { return this.addKv(key, T.UINT64, v); }
  addInt64(key: string, v: number | bigint): this { return this.addKv(key, T.INT64, v); }
  addFloat32(key: string, v: number): this { return this.addKv(key, T.FLOAT32, v); }
  addFloat64(key: string, v: number): this { return this.addKv(key, T.FLOAT64, v); }
  addBool(key: string, v: boolean): this { return this.addKv(key, T.BOOL, v); }
  addString(key: string, v: string): this { return this.addKv(key, T.STRING, v); }

  /** Add an array KV of `itemType` (nested arrays: itemType ARRAY and items `{itemType, items}`). */
  addArray(key: string, itemType: GgufValueType, items: ArrayLike<GgufInputValue>): this {
    return this.addKv(key, T.ARRAY, { itemType, items });
  }

  /** Declare a tensor; its data must later be written in declaration order. */
  addTensorInfo(name: string, dims: readonly number[], type: number, byteSize?: number): PlannedGgufTensor {
    this.assertDeclaring(`addTensorInfo("${name}")`);
    const nameBytes = Buffer.byteLength(name, "utf8");
    if (nameBytes >= GGML_MAX_NAME) throw new CortexError("INTERNAL", `gguf writer: tensor name "${name}" is ${nameBytes} bytes (max ${GGML_MAX_NAME - 1})`);
    if (this.tensors.some((t) => t.name === name)) throw new CortexError("INTERNAL", `gguf writer: duplicate tensor "${name}"`);
    if (dims.length > GGML_MAX_DIMS) throw new CortexError("INTERNAL", `gguf writer: tensor "${name}" has ${dims.length} dims (max ${GGML_MAX_DIMS})`);
    if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new CortexError("INTERNAL", `gguf writer: tensor "${name}" has invalid dims [${dims.join(", ")}]`);
    if (ggmlTypeName(type) === undefined) throw new CortexError("INTERNAL", `gguf writer: tensor "${name}" has unknown ggml type ${type}`);
    let size: number;
    try {
      size = tensorByteSize(type, dims);
    } catch (err) {
      throw new CortexError("INTERNAL", `gguf writer: tensor "${name}": ${(err as Error).message}`);
    }
    if (byteSize !== undefined && byteSize !== size) {
      throw new CortexError("INTERNAL", `gguf writer: tensor "${name}" declared ${byteSize} bytes but dims [${dims.join(", ")}] × ${ggmlTypeName(type)} need ${size}`);
    }
    const planned: PlannedGgufTensor = { name, dims: [...dims], type, byteSize: size, offset: this.dataSize };
    this.tensors.push(planned);
    this.dataSize += pad(size, this.alignment);
    return planned;
  }

  /** Serialise header, KVs and tensor infos, padded to the alignment. */
  private buildHeader(): Buffer {
    const b = new GgufByteBuilder();
    b.u32(GGUF_MAGIC).u32(3).u64(this.tensors.length).u64(this.kvs.size);
    for (const encoded of this.kvs.values()) b.bytes(encoded);
    for (const t of this.tensors) {
      b.rawString(t.name).u32(t.dims.length);
      for (const d of t.dims) b.u64(d);
      b.u32(t.type).u64(t.offset);
    }
    b.padTo(this.alignment);
    return Buffer.from(b.view());
  }

  /** Write header, KVs, tensor infos and the padding before the data section. */
  async writeHeader(): Promise<void> {
    this.assertDeclaring("writeHeader()");
    if (this.alignment !== GGUF_DEFAULT_ALIGNMENT && !this.kvs.has("general.alignment")) this.addUint32("general.alignment", this.alignment);
    const header = this.buildHeader();
    this.state = "writing";
    await this.file.write(header);
  }

  /** Move past complete tensors (zero-size ones included), writing the padding after each. */
  private async skipCompleted(): Promise<void> {
    while (this.cursor < this.tensors.length && this.written === this.tensors[this.cursor]!.byteSize) {
      const t = this.tensors[this.cursor]!;
      this.cursor++;
      this.written = 0;
      await this.file.writeZeros(pad(t.byteSize, this.alignment) - t.byteSize);
    }
  }

  /** Append bytes of tensor `name`; tensors in declaration order, each in one or more chunks. */
  async writeTensorData(name: string, chunk: ArrayBufferView): Promise<void> {
    if (this.state !== "writing") throw new CortexError("INTERNAL", `${this.path}: writeTensorData("${name}") before writeHeader() or after finish()`);
    const bytes = asBytes(chunk);
    if (bytes.length === 0) return;
    await this.skipCompleted();
    const t = this.tensors[this.cursor];
    if (!t) throw new CortexError("INTERNAL", `${this.path}: tensor "${name}" written after all tensors were complete`);
    if (t.name !== name) throw new CortexError("INTERNAL", `${this.path}: expected data for tensor "${t.name}", got "${name}"`);
    if (this.written + bytes.length > t.byteSize) throw new CortexError("INTERNAL", `${this.path}: tensor "${name}" is ${t.byteSize} bytes, got ${this.written + bytes.length}`);
    await this.file.write(bytes);
    this.written += bytes.length;
  }

  /** Check all data was written, pad the last tensor, then fsync, close and rename. */
  async finish(): Promise<void> {
    if (this.state === "declaring") await this.writeHeader();
    await this.skipCompleted();
    const t = this.tensors[this.cursor];
    if (t) {
      await this.abort();
      throw new CortexError("INTERNAL", `${this.path}: finish() with tensor "${t.name}" at ${this.written} of ${t.byteSize} bytes`);
    }
    this.state = "done";
    await this.file.commit(this.fsync);
  }

  /** Remove the temporary file (no-op after finish). */
  async abort(): Promise<void> {
    this.state = "done";
    await this.file.discard();
  }
}

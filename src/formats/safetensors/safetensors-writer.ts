import { CortexError } from "../../errors/cortex-error.js";
import { AtomicFile, asBytes } from "../atomic-file.js";
import { isSafetensorsDtype, safetensorsDtypeRank, safetensorsDtypeSize, type SafetensorsDtype } from "./safetensors-dtypes.js";

/** A tensor to be written: name, dtype and row-major shape. */
export interface SafetensorsTensorDecl {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

/** A declared tensor with the offsets the writer assigned (relative to the data section). */
export interface PlannedSafetensor extends SafetensorsTensorDecl {
  readonly byteSize: number;
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeaderOptions {
  /** `__metadata__`; written (first) whenever given, even empty. HF writes `{format: "pt"}`, MLX `{format: "mlx"}`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Pad the JSON with spaces to a multiple of 8 so the data is 8-byte aligned (the reference Rust writer);
   * `false` gives MLX's unpadded header.
   * @default true
   */
  readonly pad?: boolean;
}

export interface SafetensorsWriterOptions extends SafetensorsHeaderOptions {
  /** fsync before the rename. @default true */
  readonly fsync?: boolean;
}

/** The 8-byte length plus JSON header for `tensors` in the given order, and their planned offsets. */
export function buildSafetensorsHeader(tensors: readonly SafetensorsTensorDecl[], options: SafetensorsHeaderOptions = {}): { bytes: Buffer; planned: PlannedSafetensor[] } {
  const names = new Set<string>();
  const planned: PlannedSafetensor[] = [];
  const ordered: [string, unknown][] = [];
  if (options.metadata) ordered.push(["__metadata__", { ...options.metadata }]);
  let offset = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__") throw new CortexError("INTERNAL", `safetensors writer: tensor name "__metadata__" is reserved`);
    if (names.has(t.name)) throw new CortexError("INTERNAL", `safetensors writer: duplicate tensor "${t.name}"`);
    names.add(t.name);
    if (!isSafetensorsDtype(t.dtype)) throw new CortexError("INTERNAL", `safetensors writer: tensor "${t.name}" has unknown dtype ${String(t.dtype)}`);
    let numel = 1;
    for (const d of t.shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new CortexError("INTERNAL", `safetensors writer: tensor "${t.name}" has invalid shape ${JSON.stringify(t.shape)}`);
      numel *= d;
    }
    const byteSize = numel * safetensorsDtypeSize(t.dtype);
    const dataOffsets = [offset, offset + byteSize] as const;
    offset += byteSize;
    planned.push({ name: t.name, dtype: t.dtype, shape: [...t.shape], byteSize, dataOffsets });
    ordered.push([t.name, { dtype: t.dtype, shape: [...t.shape], data_offsets: [...dataOffsets] }]);
  }
  // JSON.stringify on an object would move integer-like names first; build the text entry by entry.
  let text = "{" + ordered.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",") + "}";
  if (options.pad ?? true) text += " ".repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const body = Buffer.from(text, "utf8");
  const bytes = Buffer.alloc(8 + body.length);
  bytes.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(bytes, 8);
  return { bytes, planned };
}

/** The reference (Rust) writer's order: descending dtype alignment (enum order reversed), then name (bytewise). */
export function referenceTensorOrder<T extends SafetensorsTensorDecl>(tensors: readonly T[]): T[] {
  return [...tensors].sort((a, b) => safetensorsDtypeRank(b.dtype) - safetensorsDtypeRank(a.dtype) || compareBytes(a.name, b.name));
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Streaming safetensors writer. Tensors are declared up front (header order = declared order = data order),
 * the header is written at once, then each tensor's bytes are streamed in order, in one or more chunks.
 * The file appears at `path` only after `finish()`; `abort()` removes the temporary file.
 */
export class SafetensorsWriter {
  private cursor = 0;
  private written = 0;

  private constructor(
    private readonly file: AtomicFile,
    readonly tensors: readonly PlannedSafetensor[],
    readonly headerSize: number,
    private readonly fsync: boolean,
  ) {}

  /** Create the temporary file and write the header. */
  static async create(path: string, tensors: readonly SafetensorsTensorDecl[], options: SafetensorsWriterOptions = {}): Promise<SafetensorsWriter> {
    const { bytes, planned } = buildSafetensorsHeader(tensors, options);
    const file = await AtomicFile.create(path);
    try {
      await file.write(bytes);
    } catch (err) {
      await file.discard();
      throw err;
    }
    return new SafetensorsWriter(file, planned, bytes.length - 8, options.fsync ?? true);
  }

  get path(): string {
    return this.file.path;
  }

  get tempPath(): string {
    return this.file.tempPath;
  }

  /** Absolute offset of the data section (8 + N). */
  get dataStart(): number {
    return 8 + this.headerSize;
  }

  private skipCompleted(): void {
    while (this.cursor < this.tensors.length && this.written === this.tensors[this.cursor]!.byteSize) {
      this.cursor++;
      this.written = 0;
    }
  }

  /**
   * Append bytes of tensor `name` (little-endian element data). Tensors must come in declared order; a tensor
   * may arrive in several chunks. Zero-size tensors need no call.
   */
  async writeTensorData(name: string, chunk: ArrayBufferView): Promise<void> {
    if (chunk.byteLength === 0) return;
    this.skipCompleted();
    const t = this.tensors[this.cursor];
    if (!t) throw new CortexError("INTERNAL", `${this.path}: tensor "${name}" written after all tensors were complete`);
    if (t.name !== name) throw new CortexError("INTERNAL", `${this.path}: expected data for tensor "${t.name}", got "${name}"`);
    const bytes = asBytes(chunk);
    if (this.written + bytes.length > t.byteSize) {
      throw new CortexError("INTERNAL", `${this.path}: tensor "${name}" is ${t.byteSize} bytes, got ${this.written + bytes.length}`);
    }
    await this.file.write(bytes);
    this.written += bytes.length;
  }

  /** Check every tensor is complete, then fsync, close and rename onto the final path. */
  async finish(): Promise<void> {
    this.skipCompleted();
    const t = this.tensors[this.cursor];
    if (t) {
      await this.abort();
      throw new CortexError("INTERNAL", `${this.path}: finish() with tensor "${t.name}" at ${this.written} of ${t.byteSize} bytes`);
    }
    await this.file.commit(this.fsync);
  }

  /** Remove the temporary file (no-op after finish). */
  async abort(): Promise<void> {
    await this.file.discard();
  }
}

/** Write a whole safetensors file from in-memory tensors (small files, fixtures). */
export async function writeSafetensors(
  path: string,
  tensors: readonly (SafetensorsTensorDecl & { readonly data: ArrayBufferView })[],
  options: SafetensorsWriterOptions = {},
): Promise<void> {
  const w = await SafetensorsWriter.create(path, tensors, options);
  try {
    for (const t of tensors) await w.writeTensorData(t.name, t.data);
    await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

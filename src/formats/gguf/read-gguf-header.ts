import { CortexError } from "../../errors/cortex-error.js";
import { BoundedFileReader, DEFAULT_CHUNK_BYTES } from "../bounded-file-reader.js";
import { GGML_TYPE_COUNT, ggmlTypeName, GGML_TYPE_SIZES, type GgmlTypeName } from "./ggml-types.js";
import { readGgufValue, type ValueLimits } from "./read-gguf-value.js";
import { GGML_MAX_DIMS, GGML_MAX_NAME, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE, ggufValueTypeName, type GgufKv } from "./gguf-values.js";

/** One tensor info of a GGUF file. */
export interface GgufTensorInfo {
  readonly name: string;
  /** ggml dims, ne[0] (the contiguous axis) first: the reverse of the safetensors/numpy shape. */
  readonly dims: readonly number[];
  /** ggml_type id. */
  readonly type: number;
  readonly typeName: GgmlTypeName;
  readonly numel: number;
  readonly byteSize: number;
  /** Offset as written: relative to the data section. */
  readonly offset: number;
  /** Absolute file offset of the tensor's first byte. */
  readonly absoluteOffset: number;
}

/** Split-GGUF keys (`gguf-split`), when present. */
export interface GgufSplitInfo {
  /** 0-based shard number (`split.no`). */
  readonly no: number;
  /** `split.count`. */
  readonly count: number;
  /** `split.tensors.count`: tensors across all shards. */
  readonly tensorsCount: number | undefined;
}

/** A validated GGUF header: everything but the tensor data. */
export interface GgufHeader {
  readonly file: string;
  readonly fileSize: number;
  readonly version: 2 | 3;
  /** Metadata in file order. */
  readonly kv: ReadonlyMap<string, GgufKv>;
  readonly tensors: readonly GgufTensorInfo[];
  /** `general.alignment` or 32. */
  readonly alignment: number;
  /** Absolute offset of the data section (tensor-info end padded to the alignment). */
  readonly dataStart: number;
  readonly architecture: string | undefined;
  readonly split: GgufSplitInfo | undefined;
}

/** Hard limits that make absurd counts fail fast instead of allocating. */
export interface GgufReadLimits {
  /** @default 1_000_000 */
  readonly maxTensors?: number;
  /** @default 100_000 */
  readonly maxKv?: number;
  /** Longest string (key, value, name). @default 64 MiB */
  readonly maxStringBytes?: number;
  /** Deepest array nesting. @default 8 */
  readonly maxArrayDepth?: number;
  /** Read-ahead window. @default 1 MiB */
  readonly chunkBytes?: number;
}

/** Smallest possible KV on disk: key length + 1 key byte + type + 1 value byte. */
const MIN_KV_BYTES = 8 + 1 + 4 + 1;
/** Smallest possible tensor info: name length + n_dims + type + offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parse a GGUF v2/v3 header — magic, version, counts, every KV (nested arrays included) and every tensor
 * info — reading the file through a bounded window, then validate alignment and every tensor's data range.
 * No tensor data is read. Checks mirror ggml's gguf.cpp (names ≤ 63 bytes, ≤ 4 dims, ne[0] a multiple of the
 * block size, alignment a power of two, UINT32) plus: data inside the file, aligned, non-overlapping.
 * @throws CortexError FMT_INVALID naming the file and field; FMT_UNSUPPORTED for v1, big-endian or unknown types.
 */
export async function readGgufHeader(file: string, limits: GgufReadLimits = {}): Promise<GgufHeader> {
  const r = await BoundedFileReader.open(file, file, limits.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  try {
    return await parse(r, file, limits);
  } finally {
    await r.close();
  }
}

function invalid(file: string, msg: string): CortexError {
  return new CortexError("FMT_INVALID", `${file}: ${msg}`);
}

async function parse(r: BoundedFileReader, file: string, limits: GgufReadLimits): Promise<GgufHeader> {
  const maxTensors = limits.maxTensors ?? 1_000_000;
  const maxKv = limits.maxKv ?? 100_000;
  const vl: ValueLimits = { maxStringBytes: limits.maxStringBytes ?? 64 << 20, maxArrayDepth: limits.maxArrayDepth ?? 8 };

  let p = r.need(8, "magic and version");
  if (p) await p;
  const magic = r.u32();
  if (magic !== GGUF_MAGIC) throw invalid(file, `not a GGUF file (magic 0x${magic.toString(16).padStart(8, "0")}, expected 0x46554747 "GGUF")`);
  const version = r.u32();
  if ((version & 0xffff) === 0 && version !== 0) throw new CortexError("FMT_UNSUPPORTED", `${file}: big-endian GGUF (version field 0x${version.toString(16)}) is not supported`);
  if (version === 1) throw new CortexError("FMT_UNSUPPORTED", `${file}: GGUF v1 is no longer supported`);
  if (version !== 2 && version !== 3) throw new CortexError("FMT_UNSUPPORTED", `${file}: GGUF version ${version} is not supported (2 or 3)`);

  p = r.need(16, "tensor_count and kv_count");
  if (p) await p;
  const tensorCount = r.u64n();
  const kvCount = r.u64n();
  if (tensorCount > maxTensors) throw invalid(file, `tensor_count ${tensorCount} exceeds the limit of ${maxTensors}`);
  if (kvCount > maxKv) throw invalid(file, `kv_count ${kvCount} exceeds the limit of ${maxKv}`);
  if (kvCount * MIN_KV_BYTES + tensorCount * MIN_TENSOR_INFO_BYTES > r.remaining) {
    throw invalid(file, `kv_count ${kvCount} and tensor_count ${tensorCount} cannot fit in the remaining ${r.remaining} bytes`);
  }

  const kv = new Map<string, GgufKv>();
  for (let i = 0; i < kvCount; i++) {
    const key = await readName(r, file, `key of KV #${i}`, 65535);
    if (key === "") throw invalid(file, `key of KV #${i} is empty`);
    if (kv.has(key)) throw invalid(file, `duplicate key "${key}"`);
    p = r.need(4, `type of key "${key}"`);
    if (p) await p;
    const type = r.u32();
    if (ggufValueTypeName(type) === undefined) throw invalid(file, `key "${key}" has invalid value type ${type}`);
    const value = await readGgufValue(r, type, `key "${key}"`, vl, 0);
    kv.set(key, { type: type as GgufKv["type"], value });
  }

  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await readName(r, file, `name of tensor #${i}`, GGML_MAX_NAME - 1);
    if (names.has(name)) throw invalid(file, `duplicate tensor name "${name}"`);
    names.add(name);
    p = r.need(4, `n_dims of tensor "${name}"`);
    if (p) await p;
    const nDims = r.u32();
    if (nDims > GGML_MAX_DIMS) throw invalid(file, `tensor "${name}" has ${nDims} dimensions (max ${GGML_MAX_DIMS})`);
    p = r.need(nDims * 8 + 12, `dims, type and offset of tensor "${name}"`);
    if (p) await p;
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const v = r.u64n();
      if (!Number.isSafeInteger(v)) throw invalid(file, `tensor "${name}" dimension ${d} is ${v}, not below 2^53`);
      dims.push(v);
    }
    const type = r.u32();
    const offset = r.u64n();
    infos.push({ name, dims, type, offset });
  }

  const alignment = readAlignment(file, kv);
  const dataStart = Math.ceil(r.position / alignment) * alignment;
  if (tensorCount > 0 && dataStart > r.size) throw invalid(file, `data section would start at ${dataStart}, beyond the file size ${r.size}`);
  const tensors = infos.map((t) => checkTensor(file, t, alignment, dataStart, r.size));
  checkOverlaps(file, tensors);

  const arch = kv.get("general.architecture");
  return {
    file,
    fileSize: r.size,
    version: version as 2 | 3,
    kv,
    tensors,
    alignment,
    dataStart,
    architecture: arch && typeof arch.value === "string" ? arch.value : undefined,
    split: readSplit(file, kv),
  };
}

/** Key or tensor name: length-checked, strict UTF-8. */
async function readName(r: BoundedFileReader, file: string, what: string, maxBytes: number): Promise<string> {
  let p = r.need(8, what);
  if (p) await p;
  const len = r.u64n();
  if (len > maxBytes) throw invalid(file, `${what} is ${len} bytes long (max ${maxBytes})`);
  p = r.need(len, what);
  if (p) await p;
  try {
    return fatalUtf8.decode(r.bytes(len));
  } catch {
    throw invalid(file, `${what} is not valid UTF-8`);
  }
}

function readAlignment(file: string, kv: ReadonlyMap<string, GgufKv>): number {
  const a = kv.get("general.alignment");
  if (!a) return GGUF_DEFAULT_ALIGNMENT;
  if (a.type !== GGUF_VALUE_TYPE.UINT32) throw invalid(file, `general.alignment must be UINT32, is ${ggufValueTypeName(a.type)}`);
  const v = a.value as number;
  if (v === 0 || (v & (v - 1)) !== 0) throw invalid(file, `general.alignment ${v} is not a power of two`);
  return v;
}

function checkTensor(file: string, t: { name: string; dims: number[]; type: number; offset: number }, alignment: number, dataStart: number, fileSize: number): GgufTensorInfo {
  const where = `tensor "${t.name}"`;
  const typeName = ggmlTypeName(t.type);
  if (!typeName) {
    if (t.type >= GGML_TYPE_COUNT) throw new CortexError("FMT_UNSUPPORTED", `${file}: ${where} has unknown ggml type ${t.type}`);
    throw invalid(file, `${where} has removed/invalid ggml type ${t.type}`);
  }
  const [block, typeSize] = GGML_TYPE_SIZES[typeName];
  const ne0 = t.dims[0] ?? 1;
  if (ne0 % block !== 0) throw invalid(file, `${where} of type ${typeName} has ${ne0} elements per row, not a multiple of the block size ${block}`);
  let numel = 1;
  for (const d of t.dims) numel *= d;
  const byteSize = (numel / block) * typeSize;
  if (!Number.isSafeInteger(numel) || !Number.isSafeInteger(byteSize)) throw invalid(file, `${where} with dims [${t.dims.join(", ")}] is too large`);
  if (!Number.isSafeInteger(t.offset)) throw invalid(file, `${where} offset is too large`);
  if (t.offset % alignment !== 0) throw invalid(file, `${where} offset ${t.offset} is not a multiple of the alignment ${alignment}`);
  const absoluteOffset = dataStart + t.offset;
  if (absoluteOffset + byteSize > fileSize) {
    throw invalid(file, `${where} data [${absoluteOffset}, ${absoluteOffset + byteSize}) extends beyond the file size ${fileSize}`);
  }
  return { name: t.name, dims: t.dims, type: t.type, typeName, numel, byteSize, offset: t.offset, absoluteOffset };
}

function checkOverlaps(file: string, tensors: readonly GgufTensorInfo[]): void {
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.offset < prev.offset + prev.byteSize) {
      throw invalid(file, `tensor "${cur.name}" at data offset ${cur.offset} overlaps tensor "${prev.name}" [${prev.offset}, ${prev.offset + prev.byteSize})`);
    }
  }
}

function intValue(file: string, kv: ReadonlyMap<string, GgufKv>, key: string): number | undefined {
  const e = kv.get(key);
  if (!e) return undefined;
  const v = typeof e.value === "bigint" ? Number(e.value) : e.value;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw invalid(file, `${key} must be a non-negative integer`);
  return v;
}

function readSplit(file: string, kv: ReadonlyMap<string, GgufKv>): GgufSplitInfo | undefined {
  const count = intValue(file, kv, "split.count");
  const no = intValue(file, kv, "split.no");
  if (count === undefined && no === undefined) return undefined;
  if (count === undefined || no === undefined) throw invalid(file, `split.no and split.count must both be present`);
  if (count < 1 || no >= count) throw invalid(file, `split.no ${no} is not below split.count ${count}`);
  return { no, count, tensorsCount: intValue(file, kv, "split.tensors.count") };
}

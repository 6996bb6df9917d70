import { assertRegularFile, openQuietly } from "../quiet-read.js";
import { CortexError } from "../../errors/cortex-error.js";
import { jsonTopLevelKeys } from "../json-top-level-keys.js";
import { isSafetensorsDtype, safetensorsDtypeSize, SUB_BYTE_SAFETENSORS_DTYPES, type SafetensorsDtype } from "./safetensors-dtypes.js";

/** The reference reader's limit (safetensors `MAX_HEADER_SIZE`), just under 100 MiB. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** One tensor entry of a safetensors header. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Row-major shape as written (`[]` = scalar). */
  readonly shape: readonly number[];
  /** Product of the shape (1 for a scalar). */
  readonly numel: number;
  readonly byteSize: number;
  /** Offsets as written: relative to the data section, end exclusive. */
  readonly dataOffsets: readonly [number, number];
  /** Absolute byte offset of the first data byte in the file. */
  readonly start: number;
  /** Absolute byte offset one past the last data byte. */
  readonly end: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** The path the header was read from (or the label given to the parser). */
  readonly file: string;
  readonly fileSize: number;
  /** N: the JSON header length, padding included. */
  readonly headerSize: number;
  /** 8 + N: absolute offset of the data section. */
  readonly dataStart: number;
  /** `__metadata__` (string → string), empty when absent. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors in header order. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  readonly byName: ReadonlyMap<string, SafetensorsTensorInfo>;
}

export interface SafetensorsHeaderOptions {
  /**
   * Accept gaps between tensors and trailing bytes after the last one (overlaps and out-of-range offsets
   * are always rejected). The reference reader rejects both.
   * @default false
   */
  readonly allowGaps?: boolean;
}

function invalid(file: string, msg: string): CortexError {
  return new CortexError("FMT_INVALID", `${file}: ${msg}`);
}

/**
 * Read and validate only the header of a .safetensors file: 8 bytes of length, then the JSON header.
 * At most `min(N, 100,000,000)` bytes are allocated, and only after N has been checked against the file size.
 * @throws CortexError FMT_INVALID naming the file and the offending tensor or field; FMT_UNSUPPORTED for sub-byte dtypes.
 */
export async function readSafetensorsHeader(file: string, options: SafetensorsHeaderOptions = {}): Promise<SafetensorsHeader> {
  const quiet = await openQuietly(file);
  const fh = quiet.fh;
  try {
    const st = await fh.stat();
    assertRegularFile(file, st);
    const { size } = st;
    if (size < 8) throw invalid(file, `file is ${size} bytes, shorter than the 8-byte header length field`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const n = checkHeaderLength(file, lenBuf.readBigUInt64LE(0), size);
    const header = new Uint8Array(n);
    const { bytesRead } = await fh.read(header, 0, n, 8);
    if (bytesRead !== n) throw invalid(file, `file shrank while reading the ${n}-byte header`);
    return parseSafetensorsHeader(header, size, file, options);
  } finally {
    await quiet.close();
  }
}

/** Validate the u64 header length N against the limit and the file size; returns N as a number. */
export function checkHeaderLength(file: string, n: bigint, fileSize: number): number {
  if (n > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw invalid(file, `header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  }
  if (n > BigInt(fileSize - 8)) throw invalid(file, `header length ${n} exceeds file size ${fileSize} minus 8`);
  return Number(n);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Validate header bytes (the N bytes after the length field) of a file of `fileSize` bytes.
 * Pure: usable on bytes fetched by a ranged HTTP request before downloading the data.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string, options: SafetensorsHeaderOptions = {}): SafetensorsHeader {
  const headerSize = headerBytes.length;
  const dataStart = 8 + headerSize;
  const dataSize = fileSize - dataStart;
  if (dataSize < 0) throw invalid(file, `header length ${headerSize} exceeds file size ${fileSize} minus 8`);
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    throw invalid(file, "header is not valid UTF-8");
  }
  if (text.charCodeAt(0) !== 0x7b) throw invalid(file, `header does not start with '{' (first byte 0x${(headerBytes[0] ?? 0).toString(16)})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(file, `header is not valid JSON: ${(err as Error).message}`);
  }
  const obj = parsed as Record<string, unknown>;
  const keys = jsonTopLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw invalid(file, `duplicate entry "${k}" in header`);
    seen.add(k);
  }

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const name of keys) {
    const entry = obj[name];
    if (name === "__metadata__") {
      metadata = parseMetadata(file, entry);
      continue;
    }
    tensors.push(parseEntry(file, name, entry, dataStart, dataSize));
  }
  checkLayout(file, tensors, dataSize, options.allowGaps ?? false);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return { file, fileSize, headerSize, dataStart, metadata, tensors, byName };
}

function parseMetadata(file: string, entry: unknown): Record<string, string> {
  if (entry === null) return {};
  if (typeof entry !== "object" || Array.isArray(entry)) throw invalid(file, `"__metadata__" must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== "string") throw invalid(file, `"__metadata__"."${k}" must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, dataSize: number): SafetensorsTensorInfo {
  const where = `tensor "${name}"`;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw invalid(file, `${where}: entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    if (typeof dtype === "string" && SUB_BYTE_SAFETENSORS_DTYPES.includes(dtype)) {
      throw new CortexError("FMT_UNSUPPORTED", `${file}: ${where}: sub-byte dtype ${dtype} is not supported`);
    }
    throw invalid(file, `${where}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape)) throw invalid(file, `${where}: shape must be an array, got ${JSON.stringify(shape)}`);
  let numel = 1;
  for (const [i, d] of shape.entries()) {
    if (!isCount(d)) throw invalid(file, `${where}: shape[${i}] must be a non-negative integer, got ${JSON.stringify(d)}`);
    numel *= d;
    if (!Number.isSafeInteger(numel)) throw invalid(file, `${where}: shape ${JSON.stringify(shape)} overflows`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1])) {
    throw invalid(file, `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw invalid(file, `${where}: data_offsets [${begin}, ${end}] end before begin`);
  const byteSize = numel * safetensorsDtypeSize(dtype);
  if (!Number.isSafeInteger(byteSize)) throw invalid(file, `${where}: byte size overflows`);
  if (end - begin !== byteSize) {
    throw invalid(file, `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape ${JSON.stringify(shape)} × ${dtype} needs ${byteSize}`);
  }
  if (end > dataSize) throw invalid(file, `${where}: data_offsets [${begin}, ${end}] beyond the ${dataSize}-byte data section`);
  return { name, dtype, shape: shape as number[], numel, byteSize, dataOffsets: [begin, end], start: dataStart + begin, end: dataStart + end };
}

function checkLayout(file: string, tensors: SafetensorsTensorInfo[], dataSize: number, allowGaps: boolean): void {
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let prevEnd = 0;
  let prev: SafetensorsTensorInfo | undefined;
  for (const t of sorted) {
    const [b] = t.dataOffsets;
    if (b < prevEnd) {
      throw invalid(file, `tensor "${t.name}" data_offsets [${b}, ${t.dataOffsets[1]}] overlap tensor "${prev!.name}" [${prev!.dataOffsets[0]}, ${prevEnd}]`);
    }
    if (b > prevEnd && !allowGaps) {
      throw invalid(file, prev
        ? `gap of ${b - prevEnd} bytes between tensor "${prev.name}" (ends at ${prevEnd}) and tensor "${t.name}" (begins at ${b})`
        : `first tensor "${t.name}" begins at data offset ${b}, not 0`);
    }
    prevEnd = t.dataOffsets[1];
    prev = t;
  }
  if (prevEnd !== dataSize && !allowGaps) {
    throw invalid(file, `data section is ${dataSize} bytes but tensors cover ${prevEnd} (${dataSize - prevEnd} trailing bytes)`);
  }
}

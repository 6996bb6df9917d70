import fs from "node:fs/promises";
import zlib from "node:zlib";
import { CortexError } from "../errors/cortex-error.js";

/** One array of an .npz archive, as its .npy header describes it (the data is never read). */
export interface NpyArrayInfo {
  /** The entry name without ".npy". */
  readonly name: string;
  /** safetensors-style dtype ("F32", "F16", "U32", "BF16") or the numpy descr when it has no such name. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly numel: number;
  readonly byteSize: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CD_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** The central directory of an archive of weights is small; more is a corrupt or hostile file. */
const MAX_CD_BYTES = 64 << 20;
/** An .npy header is at most a few hundred bytes (v1: ≤ 64 KiB). */
const NPY_PREFIX_BYTES = 65_600;

const DESCR: Record<string, { dtype: string; size: number }> = {
  f2: { dtype: "F16", size: 2 }, f4: { dtype: "F32", size: 4 }, f8: { dtype: "F64", size: 8 },
  u1: { dtype: "U8", size: 1 }, i1: { dtype: "I8", size: 1 }, b1: { dtype: "BOOL", size: 1 },
  u2: { dtype: "U16", size: 2 }, i2: { dtype: "I16", size: 2 }, u4: { dtype: "U32", size: 4 }, i4: { dtype: "I32", size: 4 },
  u8: { dtype: "U64", size: 8 }, i8: { dtype: "I64", size: 8 },
  // MLX writes bfloat16 arrays as 2-byte opaque values.
  V2: { dtype: "BF16", size: 2 },
};

/**
 * The arrays of an .npz (numpy `savez`, MLX `mx.savez`) from its zip central directory and each member's .npy
 * header — never the array data. Stored and deflated members (savez_compressed: only the first bytes are
 * inflated), zip64 archives.
 * @throws CortexError FMT_INVALID naming the file and what is wrong
 */
export async function readNpzHeaders(file: string): Promise<NpyArrayInfo[]> {
  const bad = (why: string) => new CortexError("FMT_INVALID", `${file}: not a readable .npz: ${why}`);
  const fh = await fs.open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, len: number): Promise<Buffer> => {
      const n = Math.max(0, Math.min(len, size - pos));
      const b = Buffer.alloc(n);
      if (n > 0) await fh.read(b, 0, n, pos);
      return b;
    };
    const tailLen = Math.min(size, 22 + 0xffff + 20);
    const tail = await read(size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
    if (eocd < 0) throw bad("no zip end-of-central-directory record");
    let entries = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_LOCATOR_SIG) throw bad("zip64 locator missing");
      const z = await read(Number(tail.readBigUInt64LE(loc + 8)), 56);
      if (z.length < 56 || z.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw bad("zip64 end-of-central-directory record missing");
      entries = Number(z.readBigUInt64LE(32));
      cdSize = Number(z.readBigUInt64LE(40));
      cdOffset = Number(z.readBigUInt64LE(48));
    }
    if (cdSize > MAX_CD_BYTES || cdOffset + cdSize > size) throw bad(`central directory of ${cdSize} bytes at ${cdOffset} does not fit the file`);
    const cd = await read(cdOffset, cdSize);
    const out: NpyArrayInfo[] = [];
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CD_SIG) throw bad(`central directory entry ${i} is malformed`);
      const method = cd.readUInt16LE(p + 10);
      let compSize = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let local = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
      // zip64 extended information: the 0xFFFFFFFF fields, in order (uncompressed, compressed, offset).
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const len = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (cd.readUInt32LE(p + 24) === 0xffffffff) q += 8;
          if (compSize === 0xffffffff) (compSize = Number(extra.readBigUInt64LE(q))), (q += 8);
          if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      p += 46 + nameLen + extraLen + commentLen;
      if (!name.endsWith(".npy")) continue;
      const lh = await read(local, 30);
      if (lh.length < 30 || lh.readUInt32LE(0) !== LOCAL_SIG) throw bad(`${name}: local header missing`);
      const dataAt = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
      let head: Buffer;
      if (method === 0) head = await read(dataAt, Math.min(compSize, NPY_PREFIX_BYTES));
      else if (method === 8) {
        const raw = await read(dataAt, Math.min(compSize, NPY_PREFIX_BYTES));
        try {
          head = zlib.inflateRawSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        } catch (err) {
          throw bad(`${name}: cannot inflate its header: ${(err as Error).message}`);
        }
      } else throw bad(`${name}: compression method ${method} is not stored or deflate`);
      out.push(parseNpyHeader(name.slice(0, -4), head, bad));
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** numpy's .npy header: magic, version, a Python dict literal with descr, fortran_order and shape. */
function parseNpyHeader(name: string, b: Buffer, bad: (why: string) => CortexError): NpyArrayInfo {
  if (b.length < 10 || b.toString("latin1", 0, 6) !== "\x93NUMPY") throw bad(`${name}.npy: no NUMPY magic`);
  const major = b[6]!;
  const [len, start] = major === 1 ? [b.readUInt16LE(8), 10] : major === 2 || major === 3 ? [b.readUInt32LE(8), 12] : [-1, 0];
  if (len < 0) throw bad(`${name}.npy: format version ${major} is unknown`);
  if (start + len > b.length) throw bad(`${name}.npy: header of ${len} bytes is truncated`);
  const header = b.toString(major === 3 ? "utf8" : "latin1", start, start + len);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw bad(`${name}.npy: header ${JSON.stringify(header.trim())} has no descr or shape`);
  const shape = shapeText.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`${name}.npy: shape (${shapeText}) is not a tuple of sizes`);
  const code = descr.replace(/^[<>|=]/, "");
  const known = DESCR[code];
  const itemSize = known?.size ?? Number(/(\d+)$/.exec(code)?.[1] ?? NaN);
  if (!Number.isFinite(itemSize)) throw bad(`${name}.npy: dtype ${descr} is not a numeric array type`);
  const numel = shape.reduce((a, d) => a * d, 1);
  return { name, dtype: known?.dtype ?? descr, shape, numel, byteSize: numel * itemSize };
}

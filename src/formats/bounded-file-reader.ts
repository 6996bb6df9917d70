import type { FileHandle } from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { assertRegularFile, openQuietly, type QuietFile } from "./quiet-read.js";

/** Default read-ahead window: headers are parsed through this much memory, not the whole file. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Sequential little-endian reader over a file that holds at most one window of it in memory.
 * `need(n)` returns `undefined` when n bytes are already buffered (no await, no microtask), else a
 * promise that refills; the typed getters then read synchronously. Every read past the end of the file
 * throws FMT_INVALID naming the file and what was being read.
 */
export class BoundedFileReader {
  private buf: Buffer;
  /** File offset of buf[0]. */
  private bufStart = 0;
  /** Valid bytes in buf. */
  private bufLen = 0;
  private pos = 0;

  private readonly fh: FileHandle;

  private constructor(
    private readonly file: QuietFile,
    readonly label: string,
    readonly size: number,
    chunkBytes: number,
  ) {
    this.fh = file.fh;
    this.buf = Buffer.allocUnsafe(Math.max(64, Math.min(chunkBytes, size)));
  }

  /** Open `path` (its atime left alone: quiet-read.ts); `label` names the file in error messages. */
  static async open(path: string, label: string, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<BoundedFileReader> {
    const file = await openQuietly(path);
    try {
      const st = await file.fh.stat();
      assertRegularFile(path, st);
      return new BoundedFileReader(file, label, st.size, chunkBytes);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** Absolute file offset of the next byte. */
  get position(): number {
    return this.pos;
  }

  /** Bytes between the position and the end of the file. */
  get remaining(): number {
    return this.size - this.pos;
  }

  /** Make n bytes at the position readable; throws FMT_INVALID if the file ends first. */
  need(n: number, what: string): Promise<void> | undefined {
    if (this.pos - this.bufStart + n <= this.bufLen) return undefined;
    if (n > this.size - this.pos) {
      throw new CortexError(
        "FMT_INVALID",
        `${this.label}: truncated while reading ${what} at offset ${this.pos} (needs ${n} bytes, ${this.size - this.pos} left)`,
      );
    }
    return this.fill(n);
  }

  private async fill(n: number): Promise<void> {
    const off = this.pos - this.bufStart;
    const keep = Math.max(0, this.bufLen - off);
    if (n > this.buf.length) {
      // Only reached for single values larger than the window (long strings); callers bound n first.
      const grown = Buffer.allocUnsafe(n);
      if (keep > 0) this.buf.copy(grown, 0, off, off + keep);
      this.buf = grown;
    } else if (keep > 0) {
      this.buf.copy(this.buf, 0, off, off + keep);
    }
    this.bufStart = this.pos;
    this.bufLen = keep;
    while (this.bufLen < n) {
      const want = Math.min(this.buf.length - this.bufLen, this.size - (this.bufStart + this.bufLen));
      const { bytesRead } = await this.fh.read(this.buf, this.bufLen, want, this.bufStart + this.bufLen);
      if (bytesRead === 0) {
        throw new CortexError("FMT_INVALID", `${this.label}: file shrank while reading at offset ${this.bufStart + this.bufLen}`);
      }
      this.bufLen += bytesRead;
    }
  }

  private take(n: number): number {
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1)]!;
  }
  i8(): number {
    return this.buf.readInt8(this.take(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.take(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.take(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.take(4));
  }
  f32(): number {
    return this.buf.readFloatLE(this.take(4));
  }
  f64(): number {
    return this.buf.readDoubleLE(this.take(8));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.take(8));
  }
  /** A u64 as a number: exact below 2^53; larger values come back ≥ 2^53, which is enough to fail any limit check. */
  u64n(): number {
    const at = this.take(8);
    return this.buf.readUInt32LE(at) + this.buf.readUInt32LE(at + 4) * 0x100000000;
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.take(8));
  }

  /** A view of the next n buffered bytes (valid until the next `need`). */
  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  /** Decode the next n buffered bytes as UTF-8 (invalid sequences become U+FFFD). */
  utf8(n: number): string {
    const at = this.take(n);
    return this.buf.toString("utf8", at, at + n);
  }

  /** Copy the next n bytes (which may exceed the window) into `dst`, refilling as needed. */
  async copyTo(dst: Uint8Array, what: string): Promise<void> {
    let done = 0;
    while (done < dst.length) {
      const step = Math.min(dst.length - done, this.buf.length);
      const p = this.need(step, what);
      if (p) await p;
      dst.set(this.bytes(step), done);
      done += step;
    }
  }

  /** Skip forward to an absolute offset (must not move backwards). */
  seek(offset: number): void {
    if (offset < this.pos) throw new CortexError("INTERNAL", `${this.label}: cannot seek backwards to ${offset}`);
    this.pos = offset;
  }
}

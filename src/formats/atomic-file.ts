import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { CortexError, toCortexError } from "../errors/cortex-error.js";

/**
 * A file written sequentially to `<path>.tmp-<pid>` and renamed onto `path` by `commit()`, so readers
 * never see a half-written model file. `discard()` removes the temporary file.
 */
export class AtomicFile {
  private position = 0;
  private state: "open" | "committed" | "discarded" = "open";

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    const tempPath = `${path}.tmp-${process.pid}`;
    try {
      const fh = await open(tempPath, "w");
      return new AtomicFile(path, tempPath, fh);
    } catch (err) {
      throw toCortexError(err);
    }
  }

  /** Bytes written so far. */
  get size(): number {
    return this.position;
  }

  /** Append bytes. */
  async write(data: Uint8Array): Promise<void> {
    if (this.state !== "open") throw new CortexError("INTERNAL", `${this.path}: write after ${this.state}`);
    let done = 0;
    try {
      while (done < data.length) {
        const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.position);
        done += bytesWritten;
        this.position += bytesWritten;
      }
    } catch (err) {
      throw toCortexError(err);
    }
  }

  /** Append n zero bytes. */
  async writeZeros(n: number): Promise<void> {
    if (n > 0) await this.write(new Uint8Array(n));
  }

  /** Flush (optionally fsync), close and rename onto the final path. */
  async commit(fsync: boolean): Promise<void> {
    if (this.state !== "open") throw new CortexError("INTERNAL", `${this.path}: commit after ${this.state}`);
    this.state = "committed";
    try {
      if (fsync) await this.fh.sync();
      await this.fh.close();
      await rename(this.tempPath, this.path);
    } catch (err) {
      await rm(this.tempPath, { force: true }).catch(() => undefined);
      throw toCortexError(err);
    }
  }

  /** Close and delete the temporary file; safe to call more than once or after commit (then a no-op). */
  async discard(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "discarded";
    await this.fh.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

/** View any typed array / DataView / Buffer as bytes without copying. */
export function asBytes(data: ArrayBufferView): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

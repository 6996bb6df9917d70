import fs from "node:fs";
import { CortexError, toCortexError } from "../errors/cortex-error.js";
import type { Part } from "./part-plan.js";

const MiB = 1024 * 1024;

/**
 * Writes a part's bytes at their offsets as they arrive, synchronously (the reader's buffer is reused after each
 * read): large reads straight from that buffer, small ones (TLS records) gathered into 1 MiB writes. `part.next`
 * moves with each write; progress is reported per MiB and at the end.
 */
export class PartWriter {
  private readonly stage = Buffer.allocUnsafe(MiB);
  private staged = 0;
  private unreported = 0;

  constructor(
    private readonly fd: number,
    private readonly part: Part,
    private readonly label: string,
    private readonly report: (n: number) => void,
  ) {}

  /** The offset after the last byte taken (written or staged). */
  get end(): number {
    return this.part.next + this.staged;
  }

  push(chunk: Buffer): void {
    if (chunk.byteLength === 0) return;
    const large = chunk.byteLength >= this.stage.byteLength / 4;
    if (large || this.staged + chunk.byteLength > this.stage.byteLength) this.writeStaged(); // in file order
    if (large) return this.write(chunk);
    chunk.copy(this.stage, this.staged);
    this.staged += chunk.byteLength;
    if (this.staged === this.stage.byteLength) this.writeStaged();
  }

  flush(): void {
    this.writeStaged();
    if (this.unreported > 0) this.flushReport();
  }

  private writeStaged(): void {
    const n = this.staged;
    this.staged = 0;
    if (n > 0) this.write(this.stage.subarray(0, n));
  }

  private write(buf: Buffer): void {
    for (let off = 0; off < buf.byteLength; ) {
      try {
        off += fs.writeSync(this.fd, buf, off, buf.byteLength - off, this.part.next + off);
      } catch (err) {
        const e = toCortexError(err);
        throw new CortexError(e.code, `${this.label}: writing the partial file failed: ${e.message}`, { cause: err, retryable: false });
      }
    }
    this.part.next += buf.byteLength;
    this.unreported += buf.byteLength;
    if (this.unreported >= MiB) this.flushReport();
  }

  private flushReport(): void {
    const n = this.unreported;
    this.unreported = 0;
    this.report(n);
  }
}

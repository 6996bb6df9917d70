/**
 * sha256 of several byte streams computed on a worker thread, so the writer's thread only writes. Bytes over
 * a SharedArrayBuffer are hashed in place (the caller must not change them afterwards); others are copied
 * into the message.
 */
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import type { HashMessage } from "./hash-worker.js";

const WORKER_URL = new URL("./hash-worker.js", import.meta.url);

export class OffThreadSha256 {
  private readonly worker = new Worker(WORKER_URL);
  private failure: Error | undefined;

  constructor() {
    this.worker.on("error", (err) => (this.failure ??= err));
  }

  /** Append `bytes` to the stream `key` (streams start empty). */
  update(key: string, bytes: ArrayBufferView): void {
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shared = view.buffer instanceof SharedArrayBuffer;
    const msg: HashMessage = { key, bytes: shared ? view : view.slice() };
    this.worker.postMessage(msg, shared ? [] : [msg.bytes.buffer as ArrayBuffer]);
  }

  /** Hex digest of every stream, then the worker stops. */
  async digests(): Promise<Record<string, string>> {
    const reply = new Promise<Record<string, string>>((resolve, reject) => {
      this.worker.once("message", resolve);
      this.worker.once("error", reject);
      this.worker.once("exit", () => reject(new CortexError("INTERNAL", `sha256 worker stopped early${this.failure ? `: ${this.failure.message}` : ""}`)));
    });
    const msg: HashMessage = { digest: true };
    this.worker.postMessage(msg);
    try {
      return await reply;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

import fs from "node:fs";
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import type { FrontierHashInit, FrontierHashMessage } from "./frontier-hash-worker.js";

const WORKER_URL = new URL("./frontier-hash-worker.js", import.meta.url);
/** Fewer, larger steps: one message per this many bytes of frontier. */
const STEP = 4 * 1024 * 1024;

/**
 * Hashes a file being downloaded on a worker thread, following its contiguous written frontier, so the hash
 * overlaps the download and the receiving thread only receives; when the last byte lands only a short tail is
 * left. The caller guarantees bytes below each `advance(upTo)` are written and never change.
 */
export class FrontierHasher {
  private readonly fd: number;
  private readonly worker: Worker;
  private readonly reply: Promise<string>;
  private posted = 0;
  private closed: Promise<void> | undefined;

  constructor(file: string, init: Omit<FrontierHashInit, "fd">) {
    this.fd = fs.openSync(file, "r");
    this.worker = new Worker(WORKER_URL, { workerData: { ...init, fd: this.fd } satisfies FrontierHashInit });
    this.reply = new Promise<string>((resolve, reject) => {
      this.worker.on("message", (m: { digest: string } | { error: string }) => ("digest" in m ? resolve(m.digest) : reject(new CortexError("IO_ERROR", `hashing ${file}: ${m.error}`))));
      this.worker.once("error", (err) => reject(new CortexError("INTERNAL", `hash worker failed: ${err.message}`)));
      this.worker.once("exit", () => reject(new CortexError("INTERNAL", "hash worker stopped early")));
    });
    this.reply.catch(() => {}); // observed by digest(); a download that fails first never asks
  }

  /** Bytes [0, upTo) are on disk. */
  advance(upTo: number): void {
    if (upTo - this.posted < STEP) return;
    this.posted = upTo;
    this.worker.postMessage({ upTo } satisfies FrontierHashMessage);
  }

  /** The hex digest of bytes [0, size); cancelled by `signal`. */
  async digest(size: number, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    this.worker.postMessage({ upTo: size, finish: true } satisfies FrontierHashMessage);
    const onAbort = () => void this.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.reply;
    } catch (err) {
      throw signal?.aborted ? signal.reason : err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Stops the thread, then closes the file (never while the thread may still read it). */
  close(): Promise<void> {
    this.closed ??= this.worker.terminate().then(() => fs.closeSync(this.fd));
    return this.closed;
  }
}

import os from "node:os";
import { Worker } from "node:worker_threads";
import { CortexError } from "../../errors/cortex-error.js";

const WORKER_URL = new URL("./hash-worker.js", import.meta.url);

type Reply = { id: number; ok: true; sha256: string; size: number } | { id: number; ok: false; message: string };

interface Pending {
  file: string;
  resolve: (v: { sha256: string; size: number }) => void;
  reject: (e: unknown) => void;
}

/**
 * sha256 of files on worker threads, so hashing gigabytes never blocks the daemon's event loop. Workers start on
 * first use, one file at a time each; `close()` stops them (a file being hashed is then rejected).
 */
export class FileHasher {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private readonly queue: number[] = [];
  private workers = 0;
  private nextId = 1;
  private closed = false;

  /** @param threads @default min(2, max(1, cores − 1)) */
  constructor(private readonly threads = Math.min(2, Math.max(1, os.availableParallelism() - 1))) {}

  hash(file: string): Promise<{ sha256: string; size: number }> {
    if (this.closed) return Promise.reject(new CortexError("INTERNAL", "file hasher is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { file, resolve, reject });
      this.queue.push(id);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.workers < this.threads) w = this.spawn();
      if (!w) return;
      const id = this.queue.shift()!;
      this.busy.set(w, id);
      w.postMessage({ id, file: this.pending.get(id)!.file });
    }
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_URL);
    this.workers++;
    w.on("message", (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      this.busy.delete(w);
      this.idle.push(w);
      if (p) {
        if (r.ok) p.resolve({ sha256: r.sha256, size: r.size });
        else p.reject(new CortexError("IO_ERROR", r.message));
      }
      this.pump();
    });
    w.on("error", (err) => {
      const id = this.busy.get(w);
      this.busy.delete(w);
      this.workers--;
      if (id !== undefined) {
        this.pending.get(id)?.reject(new CortexError("INTERNAL", `hash worker failed: ${err.message}`));
        this.pending.delete(id);
      }
      this.pump();
    });
    return w;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [, id] of this.busy) this.pending.get(id)?.reject(new CortexError("JOB_CANCELLED", "hashing stopped"));
    for (const id of this.queue) this.pending.get(id)?.reject(new CortexError("JOB_CANCELLED", "hashing stopped"));
    this.pending.clear();
    this.queue.length = 0;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}

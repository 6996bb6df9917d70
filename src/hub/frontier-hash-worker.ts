/**
 * Worker-thread entry of FrontierHasher: hashes a file in order from disk (the page cache, just written), up to
 * the byte the downloader says is contiguous on disk. workerData: FrontierHashInit. In: {upTo, finish?};
 * out, after finish: {digest} — or {error} as soon as a read fails.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

/** @internal */
export interface FrontierHashInit {
  /** Opened (and closed) by the owning thread; file descriptors are shared by the process. */
  fd: number;
  algorithm: "sha256" | "sha1";
  /** Hashed before the content (git's "blob <len>\0"). */
  header?: string;
}

/** @internal */
export type FrontierHashMessage = { upTo: number; finish?: boolean };

const port = parentPort;
if (!port) throw new Error("frontier-hash-worker.js must run in a worker thread");
const { fd, algorithm, header } = workerData as FrontierHashInit;
const CHUNK = 1 << 20; // hashed while still in the CPU cache after the copy
const hash = crypto.createHash(algorithm);
if (header) hash.update(header);
const buf = Buffer.allocUnsafe(CHUNK);
let pos = 0;
let failed = false;

port.on("message", (m: FrontierHashMessage) => {
  if (failed) return;
  try {
    while (pos < m.upTo) {
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, m.upTo - pos), pos);
      if (n === 0) throw new Error(`the file ends at byte ${pos}, before ${m.upTo}`);
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    if (m.finish) port.postMessage({ digest: hash.digest("hex") });
  } catch (err) {
    failed = true;
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});

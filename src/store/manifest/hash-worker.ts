/**
 * Worker-thread entry of FileHasher: sha256 of files, streamed in 4 MiB reads, off the daemon's event loop.
 * Messages in: {id, file}; out: {id, ok: true, sha256, size} or {id, ok: false, message}.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { parentPort } from "node:worker_threads";
import { closeSyncQuietly, openSyncQuietly } from "../../formats/quiet-read.js";

const CHUNK = 4 << 20;

parentPort?.on("message", (msg: { id: number; file: string }) => {
  try {
    const hash = crypto.createHash("sha256");
    const buf = Buffer.allocUnsafe(CHUNK);
    // Hashing is not a use: the atime other tools read stays (quiet-read.ts).
    const f = openSyncQuietly(msg.file);
    const fd = f.fd;
    let size = 0;
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        size += n;
      }
    } finally {
      closeSyncQuietly(f);
    }
    parentPort!.postMessage({ id: msg.id, ok: true, sha256: hash.digest("hex"), size });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, message: `${msg.file}: ${(err as Error).message}` });
  }
});

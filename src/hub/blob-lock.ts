import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive } from "../daemon/lock-file.js";

/**
 * One writer per blob across processes (two revisions can share a blob): an O_EXCL lock file in
 * <cache>/.locks/<repo_folder>/<etag>.lock, where huggingface_hub keeps its own. A lock whose pid is dead is stale.
 */
export async function withBlobLock<T>(lockFile: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number.parseInt(fs.readFileSync(lockFile, "utf8") || "0", 10);
      if (!pid || !isProcessAlive(pid)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      await sleep(200, undefined, signal ? { signal } : undefined);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

import fs from "node:fs";
import path from "node:path";
import { isProcessAlive } from "../../platform/lock-file.js";

/** `.incomplete` files touched this recently are treated as a download in progress (Python's locks are flock-based and invisible to us). */
export const ACTIVE_INCOMPLETE_MS = 10 * 60 * 1000;

/** `.locks/<repo folder>/<etag>.lock`, where cortexd's downloader and huggingface_hub keep theirs. */
export function blobLockPath(cacheDir: string, repoFolder: string, etag: string): string {
  return path.join(cacheDir, ".locks", repoFolder, `${etag}.lock`);
}

/** Whether a live process holds the lock (cortexd's downloader writes its pid into it). */
export function blobLockHeld(lockFile: string): boolean {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockFile, "utf8") || "0", 10);
    return pid > 0 && pid !== process.pid && isProcessAlive(pid);
  } catch {
    return false;
  }
}

/**
 * Take the per-blob lock without waiting, the way the downloader takes it (O_EXCL file with our pid). A lock
 * file whose owner is dead (or a pid-less huggingface_hub lock file) is stale and replaced.
 * @returns a release function, or undefined when a live process holds the lock.
 */
export function tryBlobLock(lockFile: string): (() => void) | undefined {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (blobLockHeld(lockFile)) return undefined;
      fs.rmSync(lockFile, { force: true });
    }
  }
  return undefined;
}

/** Whether an `.incomplete` blob belongs to a running download: its lock is held, or it was written recently. */
export function incompleteIsActive(cacheDir: string, repoFolder: string, incompletePath: string, now = Date.now()): boolean {
  const etag = path.basename(incompletePath).replace(/\.incomplete$/, "");
  if (blobLockHeld(blobLockPath(cacheDir, repoFolder, etag))) return true;
  try {
    return now - fs.statSync(incompletePath).mtimeMs < ACTIVE_INCOMPLETE_MS;
  } catch {
    return false;
  }
}

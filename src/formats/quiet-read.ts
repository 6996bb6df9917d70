import fs from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/**
 * Reading a model's headers (or hashing it) is not using it, and must not look like use to other tools:
 * huggingface_hub's `hf cache ls` shows a blob's atime as "last accessed", and cache cleaners go by it. On Linux
 * files are opened with O_NOATIME, which the kernel allows the file's owner (and root); where it is refused
 * (someone else's file) or does not exist (macOS), the atime found at open is put back at close.
 */
const NOATIME = fs.constants.O_NOATIME ?? 0;

/** A read-only handle whose close leaves the file's atime as it was. */
export interface QuietFile {
  readonly fh: FileHandle;
  close(): Promise<void>;
}

export async function openQuietly(file: string): Promise<QuietFile> {
  if (NOATIME) {
    try {
      const fh = await open(file, fs.constants.O_RDONLY | NOATIME);
      return { fh, close: () => fh.close() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
  }
  const fh = await open(file, "r");
  let before: fs.Stats;
  try {
    before = await fh.stat();
  } catch (err) {
    await fh.close();
    throw err;
  }
  return {
    fh,
    close: async () => {
      try {
        const after = await fh.stat();
        if (after.atimeMs !== before.atimeMs) await fh.utimes(before.atime, after.mtime);
      } catch {
        // not ours to change (no write permission): the read stays visible
      } finally {
        await fh.close();
      }
    },
  };
}

/** The whole (small) file as text, read quietly. */
export async function readTextQuietly(file: string): Promise<string> {
  const q = await openQuietly(file);
  try {
    return await q.fh.readFile("utf8");
  } finally {
    await q.close();
  }
}

/** Synchronous open for worker threads that stream a file (hashing); closeSyncQuietly puts the atime back where needed. */
export function openSyncQuietly(file: string): { fd: number; before?: fs.Stats } {
  if (NOATIME) {
    try {
      return { fd: fs.openSync(file, fs.constants.O_RDONLY | NOATIME) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
  }
  const fd = fs.openSync(file, "r");
  return { fd, before: fs.fstatSync(fd) };
}

export function closeSyncQuietly(f: { fd: number; before?: fs.Stats }): void {
  try {
    const after = f.before && fs.fstatSync(f.fd);
    if (f.before && after && after.atimeMs !== f.before.atimeMs) fs.futimesSync(f.fd, f.before.atime, after.mtime);
  } catch {
    // not ours to change
  } finally {
    fs.closeSync(f.fd);
  }
}

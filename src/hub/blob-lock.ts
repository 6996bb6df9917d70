import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { tryFlockExclusive, unflock } from "../platform/flock.js";

/** filelock polls a busy lock every 50 ms; so does cortexd. */
const POLL_MS = 50;

/** In-process queue per lock file: concurrent pulls in one process wait on a promise, not by polling. */
const local = new Map<string, Promise<void>>();

/**
 * The lock file opened as Python's filelock opens it (created when missing, mode 0664 so a group sharing the cache
 * can wait on it; a link is never followed). Its content means nothing: filelock truncates it.
 */
function openLockFile(lockFile: string, create: boolean): number | undefined {
  if (create) fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  try {
    return fs.openSync(lockFile, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW | (create ? fs.constants.O_CREAT : 0), 0o664);
  } catch (err) {
    if (!create && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Take a blob's lock without waiting: flock(2) on `.locks/<repo folder>/<etag>.lock`, the file and the call
 * huggingface_hub's WeakFileLock uses, so each tool waits for the other. Where the file system has no flock the
 * lock is taken as far as this process goes (what filelock cannot do either).
 * @returns a release function (unlock and close; the file is never deleted: deleting a lock file someone has open
 *   lets a third process lock a new file of the same name), or undefined when another holder has it.
 */
export function tryBlobLock(lockFile: string): (() => void) | undefined {
  const fd = openLockFile(lockFile, true)!;
  let state;
  try {
    state = tryFlockExclusive(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  if (state === "busy") {
    fs.closeSync(fd);
    return undefined;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (state === "locked") unflock(fd);
    fs.closeSync(fd);
  };
}

/** Whether some process (this one included, through another open) holds the lock now. A missing file: nobody. */
export function blobLockHeld(lockFile: string): boolean {
  if (local.has(lockFile)) return true;
  const fd = openLockFile(lockFile, false);
  if (fd === undefined) return false;
  try {
    const state = tryFlockExclusive(fd);
    if (state === "locked") unflock(fd);
    return state === "busy";
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One writer per blob, in this process and across processes and tools (two revisions, two jobs, or cortexd and
 * huggingface_hub can want one blob): held for as long as `fn` runs. Waits (polling, as filelock does) until the
 * lock is free or `signal` aborts.
 */
export async function withBlobLock<T>(lockFile: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = local.get(lockFile) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((r) => (releaseLocal = r));
  const tail = previous.then(() => mine);
  local.set(lockFile, tail);
  try {
    await abortable(previous, signal);
    let release = tryBlobLock(lockFile);
    while (!release) {
      try {
        await sleep(POLL_MS, undefined, signal ? { signal } : undefined);
      } catch (err) {
        throw signal?.reason ?? err;
      }
      release = tryBlobLock(lockFile);
    }
    try {
      return await fn();
    } finally {
      release();
    }
  } finally {
    releaseLocal();
    if (local.get(lockFile) === tail) local.delete(lockFile);
  }
}

function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      () => (signal.removeEventListener("abort", onAbort), resolve()),
      (err: unknown) => (signal.removeEventListener("abort", onAbort), reject(err)),
    );
  });
}

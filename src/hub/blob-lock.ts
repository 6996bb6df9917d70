import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive } from "../platform/lock-file.js";

const HEARTBEAT_MS = 5_000;
/** A lock file not touched for this long is stale whatever its pid says. */
const STALE_MS = 60_000;

/** In-process queue per lock file: concurrent pulls in one process wait on a promise, not by polling. */
const local = new Map<string, Promise<void>>();

/**
 * One writer per blob, in this process and across processes (two revisions or two jobs can share a blob):
 * a lock file at <cache>/.locks/<repo_folder>/<etag>.lock, where huggingface_hub keeps its own. The file holds
 * the owner's pid and appears atomically (hard link of a written temp file), so a reader never sees it empty;
 * the owner touches it every 5 s. A lock whose pid is dead or is ours (a pid reused after a crash; this process
 * queues its own users before reaching the file), an empty one (huggingface_hub's flock files) or one untouched
 * for 60 s is stale and taken over.
 */
export async function withBlobLock<T>(lockFile: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = local.get(lockFile) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((r) => (releaseLocal = r));
  const tail = previous.then(() => mine);
  local.set(lockFile, tail);
  try {
    await abortable(previous, signal);
    await acquireFile(lockFile, signal);
    // The heartbeat tells other processes the lock is alive even if its pid was reused after a crash.
    const heartbeat = setInterval(() => touch(lockFile), HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      releaseFile(lockFile);
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

async function acquireFile(lockFile: string, signal: AbortSignal | undefined): Promise<void> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const tmp = `${lockFile}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, String(process.pid));
  try {
    for (;;) {
      signal?.throwIfAborted();
      try {
        fs.linkSync(tmp, lockFile);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      if (removeIfStale(lockFile)) continue;
      try {
        await sleep(100, undefined, signal ? { signal } : undefined);
      } catch (err) {
        throw signal?.reason ?? err;
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function removeIfStale(lockFile: string): boolean {
  let st: fs.Stats;
  let pid: number;
  try {
    st = fs.statSync(lockFile);
    pid = Number.parseInt(fs.readFileSync(lockFile, "utf8"), 10);
  } catch {
    return true; // gone meanwhile: try again at once
  }
  const ino = st.ino;
  if (pid > 0 && pid !== process.pid && isProcessAlive(pid) && Date.now() - st.mtimeMs < STALE_MS) return false;
  // Move it aside before deleting: if another process took over the stale lock in between, it is put back.
  const grave = `${lockFile}.stale-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(lockFile, grave);
  } catch {
    return true;
  }
  if (fs.statSync(grave).ino !== ino) {
    try {
      fs.linkSync(grave, lockFile);
    } catch {
      // someone else holds it now; theirs wins
    }
  }
  fs.rmSync(grave, { force: true });
  return true;
}

function touch(lockFile: string): void {
  try {
    const now = new Date();
    fs.utimesSync(lockFile, now, now);
  } catch {
    // removed by someone who judged it stale; the download itself still finishes correctly
  }
}

function releaseFile(lockFile: string): void {
  try {
    if (Number.parseInt(fs.readFileSync(lockFile, "utf8"), 10) === process.pid) fs.rmSync(lockFile, { force: true });
  } catch {
    // already gone
  }
}

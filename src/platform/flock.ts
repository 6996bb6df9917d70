import koffi from "koffi";

/**
 * flock(2) through koffi: the advisory lock Python's filelock (and so huggingface_hub) takes on the HF cache's
 * `.locks/…/<etag>.lock` files. Non-blocking only: a blocked flock would stall the event loop, so callers poll.
 * Linux and macOS share the operation values.
 */
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

let flockFn: ((fd: number, op: number) => number) | null | undefined;

function bind(): ((fd: number, op: number) => number) | null {
  if (flockFn !== undefined) return flockFn;
  const names = process.platform === "darwin" ? ["libc.dylib", "/usr/lib/libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
  flockFn = null;
  for (const name of names) {
    try {
      const fn = koffi.load(name).func("int flock(int fd, int operation)") as (fd: number, op: number) => number;
      flockFn = fn;
      break;
    } catch {
      // next candidate
    }
  }
  return flockFn;
}

export type FlockResult = "locked" | "busy" | "unsupported";

/**
 * Try to take an exclusive flock on an open file. "busy": another open file description holds it (another
 * process, or another open of the same file here). "unsupported": no flock on this libc or file system.
 */
export function tryFlockExclusive(fd: number): FlockResult {
  const fn = bind();
  if (!fn) return "unsupported";
  for (;;) {
    if (fn(fd, LOCK_EX | LOCK_NB) === 0) return "locked";
    const errno = koffi.errno();
    if (errno === koffi.os.errno.EINTR) continue;
    if (errno === koffi.os.errno.EWOULDBLOCK || errno === koffi.os.errno.EAGAIN) return "busy";
    if ([koffi.os.errno.ENOSYS, koffi.os.errno.ENOLCK, koffi.os.errno.EOPNOTSUPP, koffi.os.errno.ENOTSUP].includes(errno)) return "unsupported";
    throw new Error(`flock: errno ${errno}`);
  }
}

/** Release (closing the descriptor releases it too). */
export function unflock(fd: number): void {
  bind()?.(fd, LOCK_UN);
}

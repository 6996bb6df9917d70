import fs from "node:fs";
import { open, readlink, realpath, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/**
 * Reading a model's headers (or hashing it) is not using it, and must not look like use to other tools:
 * huggingface_hub's `hf cache ls` shows a blob's atime as "last accessed", and cache cleaners go by it. On Linux
 * files are opened with O_NOATIME, which the kernel allows the file's owner (and root); where it is refused
 * (someone else's file) or does not exist (macOS), the atime found at open is put back at close.
 */
const NOATIME = fs.constants.O_NOATIME ?? 0;
/**
 * Opening a FIFO for reading blocks until a writer appears (forever, in a model folder), and pins a libuv thread
 * while it waits. O_NONBLOCK makes that open return at once; on a regular file the flag changes nothing. Callers
 * then refuse what fstat says is not a regular file (fileKind).
 */
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** A read-only handle whose close leaves the file's atime as it was. */
export interface QuietFile {
  readonly fh: FileHandle;
  close(): Promise<void>;
}

/**
 * Where the files this process reads may live (CORTEX_HOME, the HF cache, model folders), set once at boot by the
 * daemon and each job worker. Unset (library use, tests of parsers) means no confinement.
 */
let confinement: readonly string[] | undefined;

/** Confine every quiet open of this process to `roots` (#20 item 2: links inside a model folder). */
export function confineReadsTo(roots: readonly string[]): void {
  confinement = roots.filter(Boolean).map((r) => {
    try {
      return fs.realpathSync(r);
    } catch {
      return path.resolve(r);
    }
  });
}

/**
 * The file an open handle really is, checked against the roots after the open (no check-then-open race: a link
 * swapped meanwhile is caught here). Linux names it through /proc/self/fd; elsewhere realpath of the name.
 * @throws CortexError REG_OUTSIDE_ROOTS naming the link, never what it points to.
 */
async function assertConfined(file: string, fh: FileHandle): Promise<void> {
  if (!confinement) return;
  let real: string;
  try {
    real = await readlink(`/proc/self/fd/${fh.fd}`);
  } catch {
    real = await realpath(file).catch(() => file);
  }
  if (confinement.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) return;
  await fh.close().catch(() => undefined);
  throw new CortexError("REG_OUTSIDE_ROOTS", `${file} leads outside cortexd's roots (a link to a file elsewhere); it was not read`);
}

export async function openQuietly(file: string): Promise<QuietFile> {
  const q = await openUnconfined(file);
  await assertConfined(file, q.fh);
  return q;
}

async function openUnconfined(file: string): Promise<QuietFile> {
  if (NOATIME) {
    try {
      const fh = await open(file, fs.constants.O_RDONLY | NOATIME | NONBLOCK);
      return { fh, close: () => fh.close() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
  }
  const fh = await open(file, fs.constants.O_RDONLY | NONBLOCK);
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

/** "a FIFO", "a directory", … for what fstat found, or undefined for a regular file. */
export function nonRegularKind(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isFIFO()) return "a FIFO";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * Refuse a handle that is not a regular file: a FIFO or device never ends (or never starts), which would pin the
 * job that reads it.
 * @throws CortexError FMT_INVALID naming the file and what it is.
 */
export function assertRegularFile(file: string, st: fs.Stats): void {
  const kind = nonRegularKind(st);
  if (kind) throw new CortexError("FMT_INVALID", `${file} is ${kind}, not a regular file; refusing to read it`);
}

/** JSON and text files of a model (tokenizer.json is the largest, tens of MiB) are read whole up to this size. */
export const MAX_SMALL_FILE_BYTES = 64 << 20;

/**
 * A whole small file, read quietly, refusing non-regular files and anything above `maxBytes` before reading
 * (a 200 MB tokenizer.json once pinned a worker at 1.9 GB for minutes).
 * @throws CortexError FMT_INVALID naming the file (not regular, too large); the open's errno error (ENOENT, …).
 */
export async function readSmallFile(file: string, maxBytes = MAX_SMALL_FILE_BYTES): Promise<Buffer> {
  const q = await openQuietly(file);
  try {
    const st = await q.fh.stat();
    assertRegularFile(file, st);
    if (st.size > maxBytes) throw new CortexError("FMT_INVALID", `${file}: ${st.size} bytes, larger than the ${maxBytes}-byte limit for this kind of file`);
    const buf = Buffer.allocUnsafe(st.size + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await q.fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got > st.size) throw new CortexError("FMT_INVALID", `${file}: grew while being read`);
    }
    return buf.subarray(0, got);
  } finally {
    await q.close();
  }
}

/** The whole (small) file as text, read quietly (readSmallFile's checks). */
export async function readTextQuietly(file: string, maxBytes = MAX_SMALL_FILE_BYTES): Promise<string> {
  return (await readSmallFile(file, maxBytes)).toString("utf8");
}

/** Synchronous open for worker threads that stream a file (hashing); closeSyncQuietly puts the atime back where needed. */
export function openSyncQuietly(file: string): { fd: number; before?: fs.Stats } {
  if (NOATIME) {
    try {
      return { fd: fs.openSync(file, fs.constants.O_RDONLY | NOATIME | NONBLOCK) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
  }
  const fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK);
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

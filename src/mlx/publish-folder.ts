/**
 * A model folder appears whole or not at all: it is built under `.<name>.tmp-<pid>` next to its final path
 * (the store ignores dot-names) and renamed when complete; any failure or cancel removes the temporary folder.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CortexError, toCortexError } from "../errors/cortex-error.js";
import { sameFileBytes } from "../hub/sha256-file.js";

let tmpSeq = 0;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Build `finalDir` through `build(tmpDir)`; answers what `build` answered and where the folder now is.
 * `overwrite` replaces an existing `finalDir` once the new one is complete. `adopt`: existing folders that may
 * hold this very model (a rerun's unclaimed outputs, jobs/output-target.ts); when the built folder has exactly one's
 * files, byte for byte, the new copy goes and that folder is answered.
 * @throws CortexError JOB_CANCELLED when `signal` aborted it; REG_EXISTS when `finalDir` exists (before or after building) and not `overwrite`; whatever `build` throws,
 *   after the temporary folder is removed
 */
export async function publishFolder<T>(finalDir: string, build: (tmpDir: string) => Promise<T>, signal?: AbortSignal, overwrite = false, adopt: readonly string[] = []): Promise<{ result: T; path: string }> {
  const parent = path.dirname(finalDir);
  const base = path.basename(finalDir);
  if (!overwrite && !adopt.includes(finalDir) && (await exists(finalDir))) throw new CortexError("REG_EXISTS", `${finalDir} already exists; choose another output name or delete it first`);
  await mkdir(parent, { recursive: true });
  // Leftovers of a killed attempt (its process is gone) are removed; a live writer's folder is not touched.
  for (const f of await readdir(parent)) {
    const m = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.tmp-(\\d+)(?:-\\d+)?$`).exec(f);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await rm(path.join(parent, f), { recursive: true, force: true });
  }
  // Per call, not only per process: two runs of one job may share a process (and must not share a folder).
  const tmp = path.join(parent, `.${base}.tmp-${process.pid}-${++tmpSeq}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    const result = await build(tmp);
    for (const earlier of adopt) {
      if (await sameFiles(tmp, earlier)) {
        await rm(tmp, { recursive: true, force: true });
        return { result, path: earlier };
      }
    }
    if (await exists(finalDir)) {
      if (!overwrite) throw new CortexError("REG_EXISTS", `${finalDir} appeared while this model was being written; the new copy was discarded`);
      // A folder cannot be renamed over a folder: the old one steps aside (a dot-name the store ignores), then goes.
      const old = path.join(parent, `.${base}.old-${process.pid}`);
      await rename(finalDir, old);
      await rename(tmp, finalDir);
      await rm(old, { recursive: true, force: true });
      return { result, path: finalDir };
    }
    await rename(tmp, finalDir);
    return { result, path: finalDir };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (signal?.aborted || (err as Error | undefined)?.name === "AbortError") throw new CortexError("JOB_CANCELLED", `writing ${finalDir} was cancelled; nothing was kept`);
    throw toCortexError(err);
  }
}

/** The same files (names, sizes and sha256) in both folders, and nothing else. */
async function sameFiles(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([listFiles(a), listFiles(b).catch(() => undefined)]);
  if (!fb || fa.length !== fb.length || fa.some((f, i) => f !== fb[i])) return false;
  if (fa.some((f) => f.endsWith("\0not-a-file"))) return false;
  for (const f of fa) if (!(await sameFileBytes(path.join(a, f), path.join(b, f)))) return false;
  return true;
}

/**
 * Entries below `dir` but folders, relative, sorted. Anything but a regular file (a link) is listed with a mark, so
 * it never equals a written file and is never opened: a link is not followed out of the roots.
 */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isFile() ? "" : "\0not-a-file"))
    .sort();
}

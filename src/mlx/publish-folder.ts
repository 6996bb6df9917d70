/**
 * A model folder appears whole or not at all: it is built under `.<name>.tmp-<pid>` next to its final path
 * (the store ignores dot-names) and renamed when complete; any failure or cancel removes the temporary folder.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CortexError, toCortexError } from "../errors/cortex-error.js";

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
 * Build `finalDir` through `build(tmpDir)`.
 * `overwrite` replaces an existing `finalDir` once the new one is complete.
 * @throws CortexError JOB_CANCELLED when `signal` aborted it; REG_EXISTS when `finalDir` exists (before or after building) and not `overwrite`; whatever `build` throws,
 *   after the temporary folder is removed
 */
export async function publishFolder<T>(finalDir: string, build: (tmpDir: string) => Promise<T>, signal?: AbortSignal, overwrite = false): Promise<T> {
  const parent = path.dirname(finalDir);
  const base = path.basename(finalDir);
  if (!overwrite && (await exists(finalDir))) throw new CortexError("REG_EXISTS", `${finalDir} already exists; choose another output name or delete it first`);
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
    if (await exists(finalDir)) {
      if (!overwrite) throw new CortexError("REG_EXISTS", `${finalDir} appeared while this model was being written; the new copy was discarded`);
      // A folder cannot be renamed over a folder: the old one steps aside (a dot-name the store ignores), then goes.
      const old = path.join(parent, `.${base}.old-${process.pid}`);
      await rename(finalDir, old);
      await rename(tmp, finalDir);
      await rm(old, { recursive: true, force: true });
      return result;
    }
    await rename(tmp, finalDir);
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (signal?.aborted || (err as Error | undefined)?.name === "AbortError") throw new CortexError("JOB_CANCELLED", `writing ${finalDir} was cancelled; nothing was kept`);
    throw toCortexError(err);
  }
}

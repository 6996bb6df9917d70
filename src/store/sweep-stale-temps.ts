import fs from "node:fs";
import path from "node:path";
import { isProcessAlive } from "../platform/lock-file.js";

/**
 * `<name>.tmp-<pid>` (AtomicFile, GGUF writer), `.tmp-<pid>-<n>` (quantizer), `.tmp-<pid>-<hex>` (manifests),
 * `.tmp-<pid>-c` (GGUF conversion staging); folders `.<name>.tmp-<pid>` (MLX, fuse).
 */
const TEMP_RE = /\.tmp-(\d+)(?:-[0-9a-f]+)?$/;

/**
 * Removes temporary files whose writer is dead: what a kill -9 of the daemon, a worker or a quantizer leaves
 * behind (listings already ignore them; this gives the disk back). A file of a live pid is another writer's work
 * in progress and stays. Links are never followed. Returns the removed paths.
 */
export function sweepStaleTemps(dirs: readonly string[], opts: { prefix?: string; maxDepth?: number } = {}): string[] {
  const removed: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        // A model folder being built (`.<name>.tmp-<pid>`, MLX and fuse) whose writer died goes whole.
        const dm = TEMP_RE.exec(e.name);
        if (dm && (!opts.prefix || e.name.startsWith(opts.prefix)) && !isProcessAlive(Number(dm[1]))) {
          try {
            fs.rmSync(p, { recursive: true, force: true });
            removed.push(p);
          } catch {
            // unwritable: leave it
          }
          continue;
        }
        if (depth < (opts.maxDepth ?? 3)) walk(p, depth + 1);
        continue;
      }
      if (!e.isFile() || (opts.prefix && !e.name.startsWith(opts.prefix))) continue;
      const m = TEMP_RE.exec(e.name);
      if (!m || isProcessAlive(Number(m[1]))) continue;
      try {
        fs.rmSync(p, { force: true });
        removed.push(p);
      } catch {
        // unwritable: leave it, the listing ignores it anyway
      }
    }
  };
  for (const d of dirs) walk(d, 0);
  return removed;
}

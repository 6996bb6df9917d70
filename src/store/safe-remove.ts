import fs from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/** Lexical containment: `p` is `dir` or below it. */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Strictly below `dir` (not `dir` itself). */
export function isBelow(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/**
 * The gate every deletion passes: `target` must lie strictly below one of `roots`, both as written and with its
 * parent folder's links resolved (a link inside a root must not lead the removal elsewhere). The target itself is
 * never resolved: a link is removed as a link.
 * @throws CortexError REG_OUTSIDE_ROOTS naming the path and the roots.
 */
export async function assertRemovable(target: string, roots: readonly string[]): Promise<void> {
  const abs = path.resolve(target);
  const lexical = roots.find((r) => isBelow(path.resolve(r), abs));
  if (!lexical) throw new CortexError("REG_OUTSIDE_ROOTS", `refusing to delete ${abs}: outside cortexd's roots (${roots.join(", ")})`);
  const parentReal = await fs.realpath(path.dirname(abs)).catch(() => undefined);
  if (parentReal === undefined) return; // already gone: nothing will be removed
  const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => path.resolve(r))));
  if (!realRoots.some((r) => isInside(r, parentReal))) {
    throw new CortexError("REG_OUTSIDE_ROOTS", `refusing to delete ${abs}: its folder resolves to ${parentReal}, outside cortexd's roots`);
  }
}

/**
 * Bytes a removal frees: regular files under `target` (links not followed), hard links counted once and only when
 * this is their last name.
 */
export async function bytesUnder(target: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const visit = async (p: string): Promise<void> => {
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) {
      const names = await fs.readdir(p).catch(() => [] as string[]);
      for (const n of names) await visit(path.join(p, n));
      return;
    }
    if (!st.isFile()) return;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (st.nlink <= 1) total += st.size;
  };
  await visit(target);
  return total;
}

/**
 * Remove a file, link or folder below one of `roots` (checked first). Folders are removed recursively without
 * following links inside them. A missing path is not an error.
 * @returns bytes freed
 */
export async function safeRemove(target: string, roots: readonly string[]): Promise<number> {
  await assertRemovable(target, roots);
  const freed = await bytesUnder(target);
  await fs.rm(target, { recursive: true, force: true });
  return freed;
}

/** Remove empty folders from `from` upward, stopping at `stop` (exclusive). */
export async function pruneEmptyDirs(from: string, stop: string): Promise<void> {
  for (let dir = path.resolve(from); isBelow(path.resolve(stop), dir); dir = path.dirname(dir)) {
    try {
      await fs.rmdir(dir);
    } catch {
      return;
    }
  }
}

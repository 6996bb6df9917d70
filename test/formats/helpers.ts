import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCortexError } from "../../src/errors/cortex-error.js";

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cortex-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Assert `fn` rejects with a CortexError of `code` whose message matches `message` and names `file`. */
export async function assertRejectsWith(fn: () => Promise<unknown>, code: string, message: RegExp, file?: string): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ${code} matching ${message}, but it resolved`);
  assert.ok(isCortexError(caught), `expected a CortexError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code for: ${caught.message}`);
  assert.match(caught.message, message);
  if (file !== undefined) assert.ok(caught.message.includes(file), `message should name ${file}: ${caught.message}`);
}

import assert from "node:assert/strict";
import { isCortexError } from "../../src/errors/cortex-error.js";

/** Cases per property: a CI-sized run by default, ≥ 10,000 under CORTEX_SOAK=1 (`npm run soak`). */
export const RUNS = process.env.CORTEX_SOAK === "1" ? 10_000 : Number(process.env.CORTEX_FUZZ_RUNS ?? 150);

/** Fixed seed in CI (a failure reproduces); a fresh one per soak run, printed by fast-check on failure. */
export const FC_PARAMS = { numRuns: RUNS, ...(process.env.CORTEX_SOAK === "1" ? {} : { seed: 20261203 }) };

/** The errors a parser may throw: cortexd's taxonomy, plus the converter's named "unsupported tokenizer". */
export function isTypedError(err: unknown): boolean {
  return isCortexError(err) || (err instanceof Error && err.name === "UnsupportedTokenizerError");
}

/**
 * Runs one parse: it must settle within `hangMs` (no hang), and if it throws, throw a typed error (no crash:
 * TypeError, RangeError from an allocation, or a bare Error are failures). Returns the result or undefined.
 */
export async function parsesOrTypedError<T>(what: string, fn: () => Promise<T> | T, hangMs = 5000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${hangMs} ms (hang)`)), hangMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), hang]);
  } catch (err) {
    if (err instanceof Error && err.message.endsWith("(hang)")) throw err;
    assert.ok(isTypedError(err), `${what}: untyped error ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Heap + external + array buffers: what a parser could have allocated. */
export function allocatedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

import assert from "node:assert/strict";
import { isCortexError } from "../../src/errors/cortex-error.js";
import type { ErrorCode } from "../../src/errors/codes.js";

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal(0, sigma) samples as f32 (Box-Muller). */
export function normalMatrix(n: number, seed: number, sigma = 0.02): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** Assert `fn` throws a CortexError with `code` whose message contains every `parts` string. */
export function assertCortexThrows(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isCortexError(err), `expected a CortexError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const p of parts) assert.ok(err.message.includes(p), `message "${err.message}" lacks "${p}"`);
    return true;
  });
}

/** Same for a rejected promise. */
export async function assertCortexRejects(p: Promise<unknown>, code: ErrorCode, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isCortexError(err), `expected a CortexError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const part of parts) assert.ok(err.message.includes(part), `message "${err.message}" lacks "${part}"`);
    return true;
  });
}

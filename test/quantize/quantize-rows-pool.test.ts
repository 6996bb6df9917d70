/**
 * The row pool: splitting a tensor's rows across worker threads gives exactly the bytes of one
 * ggml_quantize_chunk call, whatever the block size; bad arguments fail before any work; cancel and close.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { GGML_TYPE } from "../../src/formats/gguf/ggml-types.js";
import { ggmlQuantizeChunk, ggmlRowSize } from "../../src/quantize/ggml-native.js";
import { QuantizeRowsPool } from "../../src/quantize/quantize-rows-pool.js";
import { SeededRandom } from "../fixtures/seeded-random.js";

const pool = QuantizeRowsPool.create({ threads: 2 });
after(() => pool.close());

function rows(n: number, seed: number, shared = false): Float32Array {
  const r = new SeededRandom(seed);
  const x = shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r.normal();
  return x;
}

function single(type: number, x: Float32Array, nrows: number, nPerRow: number, imatrix?: Float32Array): Uint8Array {
  const dst = new Uint8Array(nrows * ggmlRowSize(type, nPerRow));
  ggmlQuantizeChunk(type, x, dst, 0, nrows, nPerRow, imatrix);
  return dst;
}

test("pooled output equals one call for Q4_K, Q6_K, Q8_0, Q5_0 and BF16, with an odd row count", async () => {
  const nrows = 37;
  const nPerRow = 512;
  const x = rows(nrows * nPerRow, 1);
  for (const t of ["Q4_K", "Q6_K", "Q8_0", "Q5_0", "BF16"] as const) {
    const got = await pool.quantizeRows(GGML_TYPE[t], x, nrows, nPerRow, { name: t });
    assert.deepEqual(got, single(GGML_TYPE[t], x, nrows, nPerRow), t);
  }
});

test("tiny blocks (one row each) and a SharedArrayBuffer source give the same bytes", async () => {
  const nrows = 9;
  const nPerRow = 768;
  const x = rows(nrows * nPerRow, 2, true);
  const small = QuantizeRowsPool.create({ threads: 2, maxBlockElements: 1 });
  try {
    const got = await small.quantizeRows(GGML_TYPE.Q5_K, x, nrows, nPerRow);
    assert.deepEqual(got, single(GGML_TYPE.Q5_K, x, nrows, nPerRow));
  } finally {
    await small.close();
  }
});

test("an importance matrix reaches the workers", async () => {
  const x = rows(8 * 256, 3);
  const im = new Float32Array(256).map((_, i) => 1 + (i % 7));
  assert.deepEqual(await pool.quantizeRows(GGML_TYPE.Q3_K, x, 8, 256, { imatrix: im }), single(GGML_TYPE.Q3_K, x, 8, 256, im));
});

test("rows beyond nrows are ignored; the input is not modified; zero rows resolve empty", async () => {
  const x = rows(10 * 256, 4);
  const copy = x.slice();
  assert.deepEqual(await pool.quantizeRows(GGML_TYPE.Q8_0, x, 3, 256), single(GGML_TYPE.Q8_0, x, 3, 256));
  assert.deepEqual(x, copy);
  assert.equal((await pool.quantizeRows(GGML_TYPE.Q8_0, x, 0, 256)).length, 0);
});

test("bad arguments reject before any work with codes naming the tensor and the argument", async () => {
  const x = rows(512, 5);
  const cases: [() => Promise<unknown>, string, RegExp][] = [
    [() => pool.quantizeRows(GGML_TYPE.IQ2_XXS, x, 1, 256, { name: "blk.0.attn_q.weight" }), "QUANT_UNSUPPORTED_TYPE", /blk\.0\.attn_q\.weight: ggml type IQ2_XXS is not supported \(supported: F32, F16/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, x, 1, 200, { name: "w" }), "REQ_INVALID_ARGUMENT", /w: nPerRow 200 is not a multiple of the Q4_K block size 256/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, x, 3, 256, { name: "w" }), "REQ_INVALID_ARGUMENT", /w: src has 512 floats, 3 rows of 256 need 768/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, x, -1, 256), "REQ_INVALID_ARGUMENT", /nrows must be a non-negative integer/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, x, 1, 0), "REQ_INVALID_ARGUMENT", /nPerRow must be a positive integer/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, [1, 2] as unknown as Float32Array, 1, 256), "REQ_INVALID_ARGUMENT", /src must be a Float32Array/],
    [() => pool.quantizeRows(GGML_TYPE.Q4_K, x, 1, 256, { imatrix: new Float32Array(3) }), "REQ_INVALID_ARGUMENT", /imatrix must be a Float32Array of at least nPerRow = 256/],
  ];
  for (const [fn, code, re] of cases) {
    await assert.rejects(fn, (e: { code?: string; message: string }) => e.code === code && re.test(e.message), re.source);
  }
  assert.throws(() => QuantizeRowsPool.create({ threads: 0 }), /threads must be an integer in \[1, 256\], got 0/);
  assert.throws(() => QuantizeRowsPool.create({ maxBlockElements: 0.5 }), /maxBlockElements must be a positive integer/);
});

test("an aborted signal rejects with JOB_CANCELLED naming the tensor; the pool keeps working", async () => {
  const x = rows(64 * 4096, 6);
  const ac = new AbortController();
  const p = pool.quantizeRows(GGML_TYPE.Q4_K, x, 64, 4096, { signal: ac.signal, name: "token_embd.weight" });
  ac.abort();
  await assert.rejects(p, (e: { code?: string; message: string }) => e.code === "JOB_CANCELLED" && e.message.includes("token_embd.weight"));
  await assert.rejects(pool.quantizeRows(GGML_TYPE.Q4_K, x, 1, 4096, { signal: AbortSignal.abort() }), { code: "JOB_CANCELLED" });
  assert.deepEqual(await pool.quantizeRows(GGML_TYPE.Q4_K, x, 2, 4096), single(GGML_TYPE.Q4_K, x, 2, 4096));
});

test("a closed pool rejects pending and new work with QUANT_FAILED", async () => {
  const p2 = QuantizeRowsPool.create({ threads: 1 });
  const x = rows(32 * 4096, 7);
  const pending = assert.rejects(p2.quantizeRows(GGML_TYPE.Q6_K, x, 32, 4096), { code: "QUANT_FAILED" });
  await p2.close();
  await pending;
  await assert.rejects(p2.quantizeRows(GGML_TYPE.Q6_K, x, 1, 4096), (e: { code?: string; message: string }) => e.code === "QUANT_FAILED" && /closed/.test(e.message));
});

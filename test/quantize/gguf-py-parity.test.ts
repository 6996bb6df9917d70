/**
 * ggml_quantize_chunk (node-llama-cpp's prebuilt kernels, through koffi) against llama.cpp's own Python
 * reference, gguf-py `gguf.quants`: byte-identical for every type gguf-py can quantize (Q8_0, Q4_0, Q4_1,
 * Q5_0, Q5_1, BF16; F16 against numpy), and for the K-quants — which gguf-py can only dequantize — the
 * dequantized values stay within ggml's own error bounds (tests/test-quantize-fns.cpp) and get better with
 * every extra bit.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { GGML_TYPE } from "../../src/formats/gguf/ggml-types.js";
import { loadGgmlNative } from "../../src/quantize/ggml-native.js";
import { SeededRandom } from "../fixtures/seeded-random.js";
import { fileTempDir, llamaCppSource, python } from "./helpers.js";

const env = llamaCppSource();
const skip = "skip" in env ? env.skip : false;
if (skip) console.log(`# gguf-py parity skipped: ${skip}`);
const tmp = fileTempDir("ggml-parity");
after(tmp.cleanup);

const EXACT = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "BF16", "F16"] as const;
const KQUANTS = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"] as const;
type TypeName = (typeof EXACT)[number] | (typeof KQUANTS)[number];
interface PyResult {
  exact: boolean | null;
  first_diff: number | null;
  rms_rel: number;
  ggml_metric: number;
}

/** Quantize `rows` to every type with ggml and let gguf-py judge the bytes. */
function judge(name: string, rows: Float32Array, nPerRow: number, types: readonly TypeName[]): Record<TypeName, PyResult> {
  const lib = loadGgmlNative();
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "rows.f32"), new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  const nrows = rows.length / nPerRow;
  for (const t of types) {
    const dst = new Uint8Array(nrows * lib.ggmlRowSize(GGML_TYPE[t], nPerRow));
    assert.equal(lib.ggmlQuantizeChunk(GGML_TYPE[t], rows, dst, 0, nrows, nPerRow), dst.length);
    fs.writeFileSync(path.join(dir, `${t}.bin`), dst);
  }
  const src = (env as { src: string }).src;
  return JSON.parse(python(src, "quant_reference.py", dir, String(nPerRow), types.join(","))) as Record<TypeName, PyResult>;
}

/** Normal rows with the hard cases: an all-zero row, one huge outlier, tiny (subnormal-scale) values, ±0. */
function awkwardRows(nrows: number, nPerRow: number, seed: number, signedZeros = true): Float32Array {
  const r = new SeededRandom(seed);
  const x = new Float32Array(nrows * nPerRow);
  for (let i = 0; i < x.length; i++) x[i] = r.normal() * 0.7;
  x.fill(0, 0, nPerRow); // row 0: zeros
  x[nPerRow + 5] = 1e4; // row 1: an outlier dominating its blocks
  for (let i = 2 * nPerRow; i < 3 * nPerRow; i++) x[i] = r.normal() * 1e-30; // row 2: scales underflow fp16
  if (signedZeros) for (let i = 3 * nPerRow; i < 3 * nPerRow + 32; i++) x[i] = i % 2 ? -0 : 0; // row 3: ±0 block
  return x;
}

test("Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, BF16 and F16 are byte-identical to gguf-py's reference quantizers", { skip }, () => {
  const res = judge("exact", awkwardRows(12, 1024, 7, false), 1024, EXACT);
  for (const t of EXACT) {
    assert.equal(res[t].exact, true, `${t}: bytes differ from gguf-py at byte ${res[t].first_diff}`);
  }
});

test("a block of +0/−0 is the one known divergence: ggml stores min = +0 for Q4_1/Q5_1, gguf-py's numpy min −0", { skip }, () => {
  // C keeps the first of equal values (`v < min`); numpy's min returns −0. Decoded values are equal.
  const x = new Float32Array(32).map((_, i) => (i % 2 ? -0 : 0));
  const lib = loadGgmlNative();
  for (const t of ["Q4_1", "Q5_1"] as const) {
    const dst = new Uint8Array(lib.ggmlRowSize(GGML_TYPE[t], 32));
    lib.ggmlQuantizeChunk(GGML_TYPE[t], x, dst, 0, 1, 32);
    assert.deepEqual([...dst.subarray(0, 4)], [0, 0, 0, 0], `${t}: d and m must be +0`);
  }
  const res = judge("signed-zero", x, 32, ["Q4_1", "Q5_1", "Q8_0", "Q4_0", "Q5_0"]);
  assert.equal(res.Q4_1.exact, false);
  assert.equal(res.Q4_1.first_diff, 3, "only m's sign byte differs");
  assert.equal(res.Q5_1.first_diff, 3);
  for (const t of ["Q8_0", "Q4_0", "Q5_0"] as const) assert.equal(res[t].exact, true, t);
  for (const t of ["Q4_1", "Q5_1"] as const) assert.equal(res[t].ggml_metric, 0, `${t} decodes to zeros`);
});

test("the same on test-quantize-fns' cosine data (4096 values, amplitude 2)", { skip }, () => {
  const x = new Float32Array(4096).map((_, i) => Math.fround(0.1 + 2 * Math.cos(i)));
  const res = judge("cos-exact", x, 1024, EXACT);
  for (const t of EXACT) assert.equal(res[t].exact, true, `${t}: differs at byte ${res[t].first_diff}`);
});

test("K-quants dequantized by gguf-py are within ggml's own error bounds on its cosine test data", { skip }, () => {
  // tests/test-quantize-fns.cpp: generate_data(0.0, 4096) = 0.1 + 2·cos(i); metric sqrt(Σd²)/n.
  const x = new Float32Array(4096).map((_, i) => Math.fround(0.1 + 2 * Math.cos(i)));
  const res = judge("cos", x, 1024, KQUANTS);
  const bound: Record<(typeof KQUANTS)[number], number> = { Q2_K: 0.0075, Q3_K: 0.004, Q4_K: 0.002, Q5_K: 0.002, Q6_K: 0.002 };
  for (const t of KQUANTS) assert.ok(res[t].ggml_metric < bound[t], `${t}: total error ${res[t].ggml_metric} ≥ ${bound[t]}`);
});

test("on random rows every extra bit lowers the error, and each type stays under its bound", { skip }, () => {
  const x = awkwardRows(16, 2048, 11);
  // The outlier row dominates relative errors; judge the other rows' typical behaviour separately.
  const res = judge("random", x.subarray(4 * 2048), 2048, [...KQUANTS, "Q8_0", "Q4_0", "Q5_0"]);
  const order = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_0"] as const;
  for (let i = 1; i < order.length; i++) {
    assert.ok(res[order[i]!].rms_rel < res[order[i - 1]!].rms_rel, `${order[i]} (${res[order[i]!].rms_rel}) should beat ${order[i - 1]} (${res[order[i - 1]!].rms_rel})`);
  }
  // Bounds ~1.4× the relative RMS error measured on normal data (Q2_K 0.29, Q3_K 0.149, Q4_K 0.071, Q5_K 0.036,
  // Q6_K 0.018, Q8_0 0.0053, Q4_0 0.084, Q5_0 0.042).
  const bound = { Q2_K: 0.41, Q3_K: 0.21, Q4_K: 0.1, Q5_K: 0.051, Q6_K: 0.025, Q8_0: 0.0075, Q4_0: 0.12, Q5_0: 0.06 } as const;
  for (const [t, b] of Object.entries(bound)) assert.ok(res[t as TypeName].rms_rel < b, `${t}: relative RMS error ${res[t as TypeName].rms_rel} ≥ ${b}`);
  // K-quants beat the legacy types of the same width.
  assert.ok(res.Q4_K.rms_rel < res.Q4_0.rms_rel && res.Q5_K.rms_rel < res.Q5_0.rms_rel);
});

test("the zero, outlier and tiny rows dequantize to finite values (all-zero rows exactly)", { skip }, () => {
  const nPerRow = 1024;
  const x = awkwardRows(4, nPerRow, 3);
  const res = judge("awkward-k", x, nPerRow, KQUANTS);
  for (const t of KQUANTS) assert.ok(Number.isFinite(res[t].rms_rel), `${t}: non-finite error`);
  // A block whose scale is zero must decode to zeros: check the zero row alone.
  const zero = judge("zero-k", new Float32Array(nPerRow), nPerRow, KQUANTS);
  for (const t of KQUANTS) assert.equal(zero[t].ggml_metric, 0, `${t}: zero row did not decode to zeros`);
});

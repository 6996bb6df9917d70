/**
 * Whole-file GGUF quantization through llama_model_quantize in a child process or worker thread: the type
 * table, llama.cpp's mixture in the output, progress, atomic output, cancellation, and every failure leaving
 * nothing behind.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { GGML_TYPE, LLAMA_FTYPE } from "../../src/formats/gguf/ggml-types.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { GGUF_QUANT_TYPES } from "../../src/formats/quantization-names.js";
import { ftypeForQuantType, llamaQuantizeFile, QUANT_TYPE_FTYPES, type QuantizeFileProgress } from "../../src/quantize/llama-quantize-file.js";
import { fileTempDir, llamaCppSource, makeLlamaGguf, strayFiles } from "./helpers.js";

const env = llamaCppSource();
const skip = "skip" in env ? env.skip : false;
if (skip) console.log(`# llama-quantize-file tests skipped: ${skip}`);
const tmp = fileTempDir("ggml-file");
after(tmp.cleanup);

let small = "";
let big = "";
before(() => {
  if (skip) return;
  const src = (env as { src: string }).src;
  small = makeLlamaGguf(src, path.join(tmp.dir, "small-f16.gguf"));
  // ~54 MB of F16: long enough (seconds) to be cancelled in the middle.
  big = makeLlamaGguf(src, path.join(tmp.dir, "big-f16.gguf"), { hidden: 512, ff: 1536, layers: 8, seed: 2 });
});

/** A fresh output directory for one test. */
function outDir(name: string): string {
  const d = path.join(tmp.dir, name);
  fs.mkdirSync(d);
  return d;
}

const codeAndMessage = (code: string, ...parts: (string | RegExp)[]) => (e: { code?: string; message: string }) =>
  e.code === code && parts.every((p) => (typeof p === "string" ? e.message.includes(p) : p.test(e.message)));

test("every supported type maps to its llama_ftype, case-insensitively", () => {
  assert.deepEqual(Object.keys(QUANT_TYPE_FTYPES).sort(), [...GGUF_QUANT_TYPES].sort());
  assert.equal(ftypeForQuantType("Q4_K_M"), LLAMA_FTYPE.MOSTLY_Q4_K_M);
  assert.equal(ftypeForQuantType("q8_0"), 7);
  assert.equal(ftypeForQuantType(" bf16 "), 32);
  assert.equal(ftypeForQuantType("F16"), 1);
  assert.equal(ftypeForQuantType("Q2_K"), 10);
  assert.equal(ftypeForQuantType("Q3_K_M"), 12);
  for (const t of GGUF_QUANT_TYPES) assert.equal(ftypeForQuantType(t), LLAMA_FTYPE[`MOSTLY_${t}` as keyof typeof LLAMA_FTYPE], t);
});

test("an unsupported type is QUANT_UNSUPPORTED_TYPE naming it and the supported list", async () => {
  for (const bad of ["IQ2_XXS", "Q4_K", "q9_9", ""]) {
    assert.throws(() => ftypeForQuantType(bad), codeAndMessage("QUANT_UNSUPPORTED_TYPE", `"${bad}"`, GGUF_QUANT_TYPES.join(", ")));
  }
  const dir = outDir("bad-type");
  await assert.rejects(llamaQuantizeFile(path.join(dir, "in.gguf"), path.join(dir, "out.gguf"), { type: "Q7_K" }), codeAndMessage("QUANT_UNSUPPORTED_TYPE", '"Q7_K"', "Q4_K_M"));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("Q4_K_M applies llama.cpp's mixture, reports progress to 100 % and renames the output into place", { skip }, async () => {
  const dir = outDir("q4km");
  const out = path.join(dir, "m-Q4_K_M.gguf");
  const progress: QuantizeFileProgress[] = [];
  const onProgress = (p: QuantizeFileProgress) => {
    progress.push(p);
    if (progress.length === 2) throw new Error("a broken progress sink is ignored");
  };
  const res = await llamaQuantizeFile(small, out, { type: "Q4_K_M", threads: 2, progressIntervalMs: 10, onProgress });
  assert.deepEqual(fs.readdirSync(dir), ["m-Q4_K_M.gguf"]);
  assert.equal(res.bytes, fs.statSync(out).size);
  assert.equal(res.ftype, 15);
  assert.equal(res.type, "Q4_K_M");
  assert.deepEqual(res.warnings, [], "no shape fallbacks for 256-multiple shapes");
  assert.match(res.native.llamaVersion, /\d/);

  const h = await readGgufHeader(out);
  assert.equal(h.kv.get("general.file_type")?.value, LLAMA_FTYPE.MOSTLY_Q4_K_M);
  assert.equal(h.kv.get("general.quantization_version")?.value, 2);
  const type = new Map(h.tensors.map((t) => [t.name, t.type]));
  assert.equal(type.get("output.weight"), GGML_TYPE.Q6_K);
  assert.equal(type.get("token_embd.weight"), GGML_TYPE.Q4_K);
  assert.equal(type.get("output_norm.weight"), GGML_TYPE.F32);
  // use_more_bits(i, 4): layers 2 and 3 get Q6_K for attn_v and ffn_down.
  for (let i = 0; i < 4; i++) {
    const more = i >= 2 ? GGML_TYPE.Q6_K : GGML_TYPE.Q4_K;
    assert.equal(type.get(`blk.${i}.attn_v.weight`), more, `blk.${i}.attn_v`);
    assert.equal(type.get(`blk.${i}.ffn_down.weight`), more, `blk.${i}.ffn_down`);
    assert.equal(type.get(`blk.${i}.attn_q.weight`), GGML_TYPE.Q4_K);
    assert.equal(type.get(`blk.${i}.ffn_norm.weight`), GGML_TYPE.F32);
  }
  // llama-quantize's order: non-blk tensors by name, then by layer.
  assert.deepEqual(h.tensors.slice(0, 3).map((t) => t.name), ["output.weight", "output_norm.weight", "token_embd.weight"]);

  const last = progress.at(-1)!;
  assert.equal(last.fraction, 1);
  assert.equal(last.tensorsDone, h.tensors.length);
  assert.equal(last.bytesWritten, res.bytes);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i]!.elementsDone >= progress[i - 1]!.elementsDone, "progress never goes back");
    assert.ok(progress[i]!.tensorsDone >= progress[i - 1]!.tensorsDone);
  }
  assert.ok(progress.filter((p) => p.tensor !== undefined).length >= h.tensors.length, "one report per tensor at least");
});

test("worker-thread isolation writes the same bytes as the child process", { skip }, async () => {
  const dir = outDir("isolation");
  const a = await llamaQuantizeFile(small, path.join(dir, "p.gguf"), { type: "Q5_K_M", threads: 2, isolation: "process" });
  const b = await llamaQuantizeFile(small, path.join(dir, "t.gguf"), { type: "Q5_K_M", threads: 2, isolation: "thread" });
  assert.ok(fs.readFileSync(a.outPath).equals(fs.readFileSync(b.outPath)));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["p.gguf", "t.gguf"]);
});

test("bad inputs and outputs are refused before anything runs", { skip }, async () => {
  const dir = outDir("bad-args");
  const notGguf = path.join(dir, "not.gguf");
  fs.writeFileSync(notGguf, "this is not a gguf file at all, just text");
  await assert.rejects(llamaQuantizeFile(notGguf, path.join(dir, "o.gguf"), { type: "Q8_0" }), codeAndMessage("FMT_INVALID", notGguf));
  const truncated = path.join(dir, "trunc.gguf");
  fs.writeFileSync(truncated, fs.readFileSync(small).subarray(0, 1_000_000));
  await assert.rejects(llamaQuantizeFile(truncated, path.join(dir, "o.gguf"), { type: "Q8_0" }), codeAndMessage("FMT_INVALID", truncated));
  const missing = path.join(dir, "missing.gguf");
  await assert.rejects(llamaQuantizeFile(missing, path.join(dir, "o.gguf"), { type: "Q8_0" }), codeAndMessage("REQ_INVALID_ARGUMENT", missing, "does not exist"));
  const noDir = path.join(dir, "nope", "o.gguf");
  await assert.rejects(llamaQuantizeFile(small, noDir, { type: "Q8_0" }), codeAndMessage("REQ_INVALID_ARGUMENT", path.join(dir, "nope"), "does not exist"));
  await assert.rejects(llamaQuantizeFile(small, small, { type: "Q8_0" }), codeAndMessage("REQ_INVALID_ARGUMENT", "is the input file"));
  await assert.rejects(llamaQuantizeFile(small, path.join(dir, "o.gguf"), { type: "Q8_0", threads: 0 }), codeAndMessage("REQ_INVALID_ARGUMENT", "threads", "got 0"));
  await assert.rejects(llamaQuantizeFile(small, path.join(dir, "o.gguf"), { type: "Q8_0", isolation: "fiber" as "thread" }), codeAndMessage("REQ_INVALID_ARGUMENT", "isolation", "fiber"));
  await assert.rejects(llamaQuantizeFile(small, path.join(dir, "o.gguf"), { type: "Q8_0", progressIntervalMs: 0 }), codeAndMessage("REQ_INVALID_ARGUMENT", "progressIntervalMs", "got 0"));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["not.gguf", "trunc.gguf"]);
});

test("llama.cpp's own refusal (requantizing) is QUANT_FAILED with its reason; an existing output is untouched", { skip }, async () => {
  const dir = outDir("requant");
  const q = path.join(dir, "q.gguf");
  await llamaQuantizeFile(small, q, { type: "Q4_K_M", threads: 2 });
  const out = path.join(dir, "out.gguf");
  fs.writeFileSync(out, "previous output");
  await assert.rejects(llamaQuantizeFile(q, out, { type: "Q4_0", threads: 2 }), codeAndMessage("QUANT_FAILED", "requantizing from type q", "is disabled"));
  assert.equal(fs.readFileSync(out, "utf8"), "previous output");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["out.gguf", "q.gguf"]);
  // Allowed explicitly, it works and replaces the old file.
  const res = await llamaQuantizeFile(q, out, { type: "Q4_0", threads: 2, allowRequantize: true });
  assert.equal((await readGgufHeader(out)).kv.get("general.file_type")?.value, LLAMA_FTYPE.MOSTLY_Q4_0);
  assert.equal(res.bytes, fs.statSync(out).size);
});

/** Start a long quantization and hand back the promise once the first tensor is written. */
async function startBig(dir: string, isolation: "process" | "thread", signal: AbortSignal) {
  let first!: () => void;
  const started = new Promise<void>((r) => (first = r));
  let reports = 0;
  const run = llamaQuantizeFile(big, path.join(dir, "big-Q4_K_M.gguf"), {
    type: "Q4_K_M",
    threads: 1,
    isolation,
    signal,
    onProgress: (p) => {
      reports++;
      if (p.tensorsDone >= 1) first();
    },
  });
  run.catch(() => undefined);
  await Promise.race([started, run]);
  return { run, reports: () => reports };
}

for (const isolation of ["process", "thread"] as const) {
  test(`cancelling mid-quantize (${isolation}) rejects JOB_CANCELLED and leaves no output or temp file`, { skip }, async () => {
    const dir = outDir(`abort-${isolation}`);
    const ac = new AbortController();
    const { run } = await startBig(dir, isolation, ac.signal);
    const partial = fs.readdirSync(dir);
    assert.equal(partial.length, 1, "a partial temp file exists while it runs");
    assert.match(partial[0]!, /^big-Q4_K_M\.gguf\.tmp-\d+-\d+$/);
    const t0 = Date.now();
    ac.abort();
    await assert.rejects(run, codeAndMessage("JOB_CANCELLED", big));
    if (isolation === "process") assert.ok(Date.now() - t0 < 2000, `the child is killed at once (${Date.now() - t0} ms)`);
    assert.deepEqual(strayFiles(dir, []), []);
  });
}

test("an already-aborted signal starts nothing", { skip }, async () => {
  const dir = outDir("pre-abort");
  await assert.rejects(llamaQuantizeFile(small, path.join(dir, "o.gguf"), { type: "Q8_0", signal: AbortSignal.abort() }), { code: "JOB_CANCELLED" });
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("a quantizer process that dies is QUANT_FAILED naming the signal, and leaves nothing", { skip: skip || (process.platform !== "linux" && "needs ps --ppid") }, async () => {
  const dir = outDir("crash");
  const ac = new AbortController();
  const { run } = await startBig(dir, "process", ac.signal);
  const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes("llama-quantize-runner.js"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.equal(children.length, 1, "one runner child");
  process.kill(children[0]!, "SIGSEGV");
  await assert.rejects(run, codeAndMessage("QUANT_FAILED", big, "SIGSEGV"));
  assert.deepEqual(strayFiles(dir, []), []);
});

/**
 * Cross-checks against llama.cpp's own gguf-py (the source bundled with node-llama-cpp): gguf-py reads what
 * our writer wrote, our reader reads what GGUFWriter wrote, both writers produce identical bytes, the type
 * tables agree, and f32 → f16/bf16 match numpy / gguf-py. Skips with a printed reason when python3, numpy or
 * the llama.cpp source is unavailable.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { GGML_TYPE, GGML_TYPE_SIZES, LLAMA_FTYPE } from "../../src/formats/gguf/ggml-types.js";
import { GgufWriter } from "../../src/formats/gguf/gguf-writer.js";
import { GGUF_VALUE_TYPE as T, type GgufArray, type GgufValue } from "../../src/formats/gguf/gguf-values.js";
import { readGgufHeader, type GgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { float32ToBf16, float32ToF16 } from "../../src/formats/half-float.js";
import { makeGguf, SAMPLE_TENSORS } from "../fixtures/make-gguf.js";
import { SeededRandom } from "../fixtures/seeded-random.js";
import { tempDir } from "./helpers.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const scripts = join(repoRoot, "test", "formats", "python");
const tmp = tempDir("gguf-py");
after(tmp.cleanup);

/** Find (or clone from node-llama-cpp's git bundle) llama.cpp's source; returns gguf-py's path or why not. */
function locateGgufPy(): { ggufPy: string } | { skip: string } {
  const src = process.env.CORTEX_LLAMA_CPP_SRC ?? join(homedir(), ".cache", "cortexd", "llama.cpp");
  if (!existsSync(join(src, "gguf-py", "gguf"))) {
    const bundle = join(repoRoot, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
    if (!existsSync(bundle)) return { skip: `no llama.cpp source at ${src} and no ${bundle} to clone it from` };
    mkdirSync(dirname(src), { recursive: true });
    const r = spawnSync("git", ["clone", "-q", bundle, src], { encoding: "utf8" });
    if (r.status !== 0) return { skip: `git clone of ${bundle} failed: ${r.stderr || r.error?.message}` };
  }
  const py = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (py.error) return { skip: `python3 not runnable: ${py.error.message}` };
  if (py.status !== 0) return { skip: `python3 has no numpy: ${py.stderr.trim().split("\n").pop()}` };
  return { ggufPy: join(src, "gguf-py") };
}

const env = locateGgufPy();
const skip = "skip" in env ? env.skip : false;
if (skip) console.log(`# gguf-py cross-checks skipped: ${skip}`);

function python(script: string, ...args: string[]): string {
  const r = spawnSync("python3", [join(scripts, script), ...args], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: (env as { ggufPy: string }).ggufPy },
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, `${script} failed: ${r.stderr}`);
  return r.stdout;
}

interface PyDump {
  alignment: number;
  data_offset: number;
  fields: { name: string; types: number[]; value: unknown }[];
  tensors: { name: string; type: number; dims: number[]; n_bytes: number; data_offset: number; sha256: string }[];
}

/** Our header in gguf-py dump form (nested arrays flattened, 64-bit ints as strings) for comparison. */
function asPyDump(h: GgufHeader, file: Buffer): PyDump {
  const types = (type: number, v: GgufValue): number[] => (type === T.ARRAY ? [T.ARRAY, ...itemTypes(v as GgufArray)] : [type]);
  const itemTypes = (a: GgufArray): number[] => (a.itemType === T.ARRAY ? [T.ARRAY, ...itemTypes((a.items as GgufArray[])[0]!)] : [a.itemType]);
  const flat = (type: number, v: GgufValue): unknown => {
    if (type === T.ARRAY) {
      const a = v as GgufArray;
      const items = Array.from(a.items as ArrayLike<GgufValue>);
      return a.itemType === T.ARRAY ? items.flatMap((x) => flat(T.ARRAY, x) as unknown[]) : items.map((x) => flat(a.itemType, x));
    }
    return typeof v === "bigint" ? v.toString() : v;
  };
  return {
    alignment: h.alignment,
    data_offset: h.dataStart,
    fields: [...h.kv].map(([name, kv]) => ({ name, types: types(kv.type, kv.value), value: flat(kv.type, kv.value) })),
    tensors: h.tensors.map((t) => ({
      name: t.name,
      type: t.type,
      dims: [...t.dims],
      n_bytes: t.byteSize,
      data_offset: t.absoluteOffset,
      sha256: createHash("sha256").update(file.subarray(t.absoluteOffset, t.absoluteOffset + t.byteSize)).digest("hex"),
    })),
  };
}

/** Through JSON, so both sides compare as plain JSON values (-0 → 0, typed arrays already flattened). */
function normalise(d: PyDump): PyDump {
  return JSON.parse(JSON.stringify(d)) as PyDump;
}

test("gguf-py reads the KVs and tensor infos our writer produced", { skip }, async () => {
  const path = join(tmp.dir, "ours.gguf");
  await makeGguf(path, { alignment: 32 });
  const ours = asPyDump(await readGgufHeader(path), readFileSync(path));
  const theirs = JSON.parse(python("dump_gguf.py", path)) as PyDump;
  assert.deepEqual(normalise(theirs), normalise(ours));
  assert.equal(theirs.tensors.length, SAMPLE_TENSORS.length);
});

/** The same content as test/formats/python/write_gguf.py, through our writer. */
async function writeLikeGgufPy(path: string, alignment: number): Promise<void> {
  const w = await GgufWriter.create(path, { alignment, fsync: false });
  w.addString("general.architecture", "llama");
  if (alignment !== 32) w.addUint32("general.alignment", alignment);
  w.addUint8("t.u8", 200).addInt8("t.i8", -5).addUint16("t.u16", 60000).addInt16("t.i16", -300);
  w.addUint32("t.u32", 4000000000).addInt32("t.i32", -7).addFloat32("t.f32", 0.1);
  w.addUint64("t.u64", 2n ** 63n + 5n).addInt64("t.i64", -(2n ** 40n)).addFloat64("t.f64", 0.1);
  w.addBool("t.bool", true).addString("t.str", "héllo ✓");
  w.addArray("t.strs", T.STRING, ["a", "Ġb", "<|x|>"]);
  w.addArray("t.ints", T.INT32, [1, -2, 3]);
  w.addArray("t.floats", T.FLOAT32, [0.5, 1.25]);
  w.addArray("t.bools", T.BOOL, [true, false]);
  w.addArray("t.nested", T.ARRAY, [{ itemType: T.INT32, items: [1, 2] }, { itemType: T.INT32, items: [3] }]);
  w.addArray("t.u8s", T.UINT8, [1, 2, 3]);
  const q = new Uint8Array(68).map((_, i) => i);
  const data: [string, number[], number, ArrayBufferView][] = [
    ["a", [3, 2], GGML_TYPE.F32, new Float32Array([0, 1, 2, 3, 4, 5])],
    ["h", [2], GGML_TYPE.F16, new Uint16Array([0x3e00, 0xc000])],
    ["q", [32, 2], GGML_TYPE.Q8_0, q],
    ["i", [3], GGML_TYPE.I32, new Int32Array([1, 2, 3])],
    ["s", [], GGML_TYPE.F32, new Float32Array([3])],
  ];
  for (const [name, dims, type] of data) w.addTensorInfo(name, dims, type);
  await w.writeHeader();
  for (const [name, , , bytes] of data) await w.writeTensorData(name, bytes);
  await w.finish();
}

test("our writer is byte-identical to gguf-py's GGUFWriter, and our reader matches gguf-py on its file", { skip }, async () => {
  for (const alignment of [32, 64]) {
    const theirsPath = join(tmp.dir, `gguf-py-${alignment}.gguf`);
    const oursPath = join(tmp.dir, `ours-like-py-${alignment}.gguf`);
    python("write_gguf.py", theirsPath, String(alignment));
    await writeLikeGgufPy(oursPath, alignment);
    const theirs = readFileSync(theirsPath);
    const ours = readFileSync(oursPath);
    assert.equal(ours.length, theirs.length, `alignment ${alignment}: file sizes`);
    assert.ok(ours.equals(theirs), `alignment ${alignment}: first difference at byte ${ours.findIndex((b, i) => b !== theirs[i])}`);

    const h = await readGgufHeader(theirsPath);
    assert.equal(h.alignment, alignment);
    assert.deepEqual(normalise(asPyDump(h, theirs)), normalise(JSON.parse(python("dump_gguf.py", theirsPath)) as PyDump));
    assert.deepEqual(h.tensors.map((t) => [t.name, t.typeName, t.dims]), [["a", "F32", [3, 2]], ["h", "F16", [2]], ["q", "Q8_0", [32, 2]], ["i", "I32", [3]], ["s", "F32", []]]);
  }
});

test("ggml type, llama_ftype and value type tables equal gguf-py's constants", { skip }, () => {
  const py = JSON.parse(python("tables.py")) as { ggml_types: Record<string, [number, number, number]>; ftypes: Record<string, number>; value_types: Record<string, number> };
  const ours = Object.fromEntries(Object.entries(GGML_TYPE).map(([k, id]) => [k, [id, ...GGML_TYPE_SIZES[k as keyof typeof GGML_TYPE]]]));
  assert.deepEqual(ours, py.ggml_types);
  assert.deepEqual({ ...LLAMA_FTYPE }, py.ftypes);
  assert.deepEqual({ ...T }, py.value_types);
});

test("f32 → f16 matches numpy and f32 → bf16 matches gguf-py on 200k bit patterns", { skip }, () => {
  const rng = new SeededRandom(11);
  const n = 200_000;
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Half random bit patterns, half values near the f16 range edges and subnormals.
    bits[i] = i % 2 === 0 ? (rng.next() * 2 ** 32) >>> 0 : (((rng.next() * 2 ** 9) << 23) | ((rng.next() * 2 ** 23) >>> 0)) >>> 0;
  }
  bits.set([0, 0x80000000, 0x7f800000, 0xff800000, 0x477fe000, 0x477ff000, 0x33000000, 0x33400000, 0x387fc000, 0x3f808000, 0x3f818000, 0x7f7fffff], 0);
  const inPath = join(tmp.dir, "f32.bin");
  const outPath = join(tmp.dir, "halfs.bin");
  writeFileSync(inPath, new Uint8Array(bits.buffer));
  python("half_floats.py", inPath, outPath);
  const out = readFileSync(outPath);
  const npF16 = new Uint16Array(out.buffer.slice(out.byteOffset, out.byteOffset + 2 * n));
  const pyBf16 = new Uint16Array(out.buffer.slice(out.byteOffset + 2 * n, out.byteOffset + 4 * n));
  const f32 = new Float32Array(bits.buffer);
  const ourF16 = float32ToF16(f32);
  const ourBf16 = float32ToBf16(f32);
  let checked = 0;
  for (let i = 0; i < n; i++) {
    const isNaN = (bits[i]! & 0x7fffffff) > 0x7f800000;
    // NaN payloads differ by design (ggml: quiet 0x7E00; numpy keeps payload bits); both stay NaN.
    if (!isNaN) {
      assert.equal(ourF16[i], npF16[i], `f16 of 0x${bits[i]!.toString(16)}`);
      checked++;
    } else assert.equal(npF16[i]! & 0x7c00, 0x7c00);
    assert.equal(ourBf16[i], pyBf16[i], `bf16 of 0x${bits[i]!.toString(16)}`);
  }
  assert.ok(checked > n * 0.9);
});

test("real vocabulary GGUFs from llama.cpp's models/ parse; the SPM one exactly as gguf-py reads it", { skip }, async () => {
  const models = join((env as { ggufPy: string }).ggufPy, "..", "models");
  // gguf-py's reader needs ~20 s for a 128k-token vocabulary on these machines, so only the small SPM
  // vocabulary is compared field by field; the large BPE ones are checked for their known token counts.
  const cases: [string, number, boolean][] = [
    ["ggml-vocab-llama-spm.gguf", 32000, true],
    ["ggml-vocab-llama-bpe.gguf", 128256, false],
    ["ggml-vocab-gpt-2.gguf", 50257, false],
    ["ggml-vocab-qwen2.gguf", 151936, false],
  ];
  for (const [name, tokenCount, compare] of cases) {
    const path = join(models, name);
    if (!existsSync(path)) {
      console.log(`# ${name} not in this llama.cpp source; skipped`);
      continue;
    }
    const t0 = performance.now();
    const h = await readGgufHeader(path);
    const ms = performance.now() - t0;
    const tokens = h.kv.get("tokenizer.ggml.tokens")!.value as GgufArray;
    console.log(`# ${name}: ${h.kv.size} KVs, ${tokens.items.length} tokens, parsed in ${ms.toFixed(0)} ms`);
    assert.equal(tokens.items.length, tokenCount, name);
    if (compare) assert.deepEqual(normalise(asPyDump(h, readFileSync(path))), normalise(JSON.parse(python("dump_gguf.py", path)) as PyDump), name);
  }
});

import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { GGML_TYPE } from "../../src/formats/gguf/ggml-types.js";
import { GgufWriter } from "../../src/formats/gguf/gguf-writer.js";
import { GGUF_VALUE_TYPE as T, type GgufArray, type GgufValue } from "../../src/formats/gguf/gguf-values.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { makeGguf, MALFORMED_GGUF, SAMPLE_KVS, SAMPLE_TENSORS, writeMalformedGgufFiles } from "../fixtures/make-gguf.js";
import { assertRejectsWith, tempDir } from "./helpers.js";

const tmp = tempDir("gguf");
after(tmp.cleanup);

/** Plain JS form of a value for deep comparison with the fixture input. */
function plain(v: GgufValue): unknown {
  if (typeof v === "object") {
    const a = v as GgufArray;
    return { itemType: a.itemType, items: Array.from(a.items as ArrayLike<GgufValue>, (x) => plain(x)) };
  }
  return v;
}

function expectPlain(type: number, v: unknown): unknown {
  if (type === T.FLOAT32) return Math.fround(v as number);
  if (type === T.ARRAY) {
    const a = v as { itemType: number; items: unknown[] };
    return { itemType: a.itemType, items: a.items.map((x) => expectPlain(a.itemType, x)) };
  }
  return v;
}

test("round trip: our writer's KVs (every type, nested arrays) and tensor infos read back exactly", async () => {
  for (const chunkBytes of [64, 1 << 20]) {
    const path = join(tmp.dir, `rt-${chunkBytes}.gguf`);
    const data = await makeGguf(path);
    const h = await readGgufHeader(path, { chunkBytes });
    assert.equal(h.version, 3);
    assert.equal(h.alignment, 32);
    assert.equal(h.architecture, "llama");
    assert.equal(h.split, undefined);
    assert.deepEqual([...h.kv.keys()], SAMPLE_KVS.map(([k]) => k), "KV order kept");
    for (const [key, type, value] of SAMPLE_KVS) {
      const kv = h.kv.get(key)!;
      assert.equal(kv.type, type, key);
      assert.deepEqual(plain(kv.value), expectPlain(type, value), key);
    }
    assert.ok(h.kv.get("test.i32s")!.value && (h.kv.get("test.i32s")!.value as GgufArray).items instanceof Int32Array, "numeric arrays are typed arrays");
    assert.equal(h.dataStart % 32, 0);
    let expectOffset = 0;
    const file = readFileSync(path);
    for (const [i, t] of SAMPLE_TENSORS.entries()) {
      const info = h.tensors[i]!;
      assert.equal(info.name, t.name);
      assert.deepEqual(info.dims, t.dims);
      assert.equal(info.type, t.type);
      assert.equal(info.offset, expectOffset);
      assert.equal(info.absoluteOffset, h.dataStart + expectOffset);
      assert.deepEqual(new Uint8Array(file.subarray(info.absoluteOffset, info.absoluteOffset + info.byteSize)), data.get(t.name));
      expectOffset += Math.ceil(info.byteSize / 32) * 32;
    }
    assert.equal(file.length, h.dataStart + expectOffset, "the last tensor is padded too, as gguf-py does");
  }
});

test("custom alignment writes general.alignment and aligns every offset; split keys are reported", async () => {
  const path = join(tmp.dir, "align64.gguf");
  await makeGguf(path, {
    alignment: 64,
    kvs: [["general.architecture", T.STRING, "llama"], ["split.no", T.UINT16, 1], ["split.count", T.UINT16, 3], ["split.tensors.count", T.INT32, 7]],
    tensors: [{ name: "a", dims: [3] }, { name: "b", dims: [5, 2], type: GGML_TYPE.F16 }],
  });
  const h = await readGgufHeader(path);
  assert.equal(h.alignment, 64);
  assert.deepEqual(h.kv.get("general.alignment"), { type: T.UINT32, value: 64 });
  assert.equal(h.dataStart % 64, 0);
  assert.deepEqual(h.tensors.map((t) => t.offset), [0, 64]);
  assert.deepEqual(h.split, { no: 1, count: 3, tensorsCount: 7 });
});

test("a header-only GGUF (no tensors) and a 150k-token vocabulary parse through a small window", async () => {
  const path = join(tmp.dir, "vocab.gguf");
  const n = 150_000;
  const tokens = Array.from({ length: n }, (_, i) => `tok${i}${"é".repeat(i % 7)}`);
  const w = await GgufWriter.create(path, { fsync: false });
  w.addString("general.architecture", "llama").addString("tokenizer.ggml.model", "gpt2");
  w.addArray("tokenizer.ggml.tokens", T.STRING, tokens);
  w.addArray("tokenizer.ggml.scores", T.FLOAT32, new Float32Array(n).map((_, i) => -i));
  w.addArray("tokenizer.ggml.token_type", T.INT32, new Int32Array(n).fill(1));
  await w.finish();
  const t0 = performance.now();
  const h = await readGgufHeader(path, { chunkBytes: 1 << 16 });
  const ms = performance.now() - t0;
  const got = h.kv.get("tokenizer.ggml.tokens")!.value as GgufArray;
  assert.equal(got.items.length, n);
  assert.equal((got.items as string[])[149_999], tokens[149_999]);
  assert.equal(((h.kv.get("tokenizer.ggml.scores")!.value as GgufArray).items as Float32Array)[n - 1], -(n - 1));
  assert.equal(h.tensors.length, 0);
  console.log(`# 150k-token vocabulary header (${statSync(path).size} bytes) parsed in ${ms.toFixed(0)} ms`);
});

test("every malformed GGUF fails with its code, a precise message and the file name", async () => {
  const files = await writeMalformedGgufFiles(tmp.dir);
  assert.ok(files.size >= 30);
  for (const [name, path] of files) {
    const c = MALFORMED_GGUF[name]!;
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    await assertRejectsWith(() => readGgufHeader(path), c.code, c.message, path);
    const grew = process.memoryUsage().arrayBuffers - before;
    assert.ok(grew < 16 << 20, `${name}: array buffers grew by ${grew} bytes`);
    assert.ok(performance.now() - t0 < 1000, `${name}: took too long`);
  }
});

async function rejectsInternal(fn: () => unknown, re: RegExp): Promise<void> {
  await assert.rejects(async () => fn(), (err: unknown) => isCortexError(err) && err.code === "INTERNAL" && re.test(err.message));
}

test("writer refuses bad input and cleans up its temp file", async () => {
  const path = join(tmp.dir, "w.gguf");
  const w = await GgufWriter.create(path, { fsync: false });
  await rejectsInternal(() => w.addUint8("k", 256), /key "k" must be an integer in \[0, 255\] for UINT8, got 256/);
  await rejectsInternal(() => w.addInt32("k", 1.5), /INT32/);
  await rejectsInternal(() => w.addUint64("k", -1n), /UINT64/);
  await rejectsInternal(() => w.addArray("k", T.STRING, ["a", 1 as unknown as string]), /key "k"\[1\] must be a string/);
  w.addString("a.b", "x");
  await rejectsInternal(() => w.addString("a.b", "y"), /duplicate key "a\.b"/);
  await rejectsInternal(() => w.addTensorInfo("x".repeat(64), [4], GGML_TYPE.F32), /is 64 bytes \(max 63\)/);
  await rejectsInternal(() => w.addTensorInfo("q", [33], GGML_TYPE.Q8_0), /tensor "q": 33 elements per row is not a multiple of the Q8_0 block size 32/);
  await rejectsInternal(() => w.addTensorInfo("d", [1, 1, 1, 1, 1], GGML_TYPE.F32), /5 dims/);
  await rejectsInternal(() => w.addTensorInfo("s", [4], GGML_TYPE.F32, 8), /declared 8 bytes but .* need 16/);
  w.addTensorInfo("t1", [4], GGML_TYPE.F32);
  w.addTensorInfo("t2", [2], GGML_TYPE.F16);
  await rejectsInternal(() => w.writeTensorData("t1", new Float32Array(4)), /before writeHeader/);
  await w.writeHeader();
  await rejectsInternal(() => w.addString("late", "x"), /after writeHeader/);
  await rejectsInternal(() => w.writeTensorData("t2", new Uint16Array(2)), /expected data for tensor "t1", got "t2"/);
  await w.writeTensorData("t1", new Float32Array(4));
  await rejectsInternal(() => w.finish(), /finish\(\) with tensor "t2" at 0 of 4 bytes/);
  assert.ok(!existsSync(w.tempPath) && !existsSync(path));
  assert.deepEqual((await readdir(tmp.dir)).filter((f) => f.startsWith("w.gguf")), []);
});

test("a file written by another tool with unpadded last tensor and v2 header is accepted", async () => {
  // Hand-built v2 file: the data ends right after the last tensor (no trailing padding).
  const { GgufByteBuilder } = await import("../../src/formats/gguf/gguf-byte-builder.js");
  const b = new GgufByteBuilder().u32(0x46554747).u32(2).u64(1).u64(1);
  b.rawString("general.architecture").u32(T.STRING).rawString("gpt2");
  b.rawString("w").u32(2).u64(3).u64(2).u32(GGML_TYPE.F32).u64(0).padTo(32);
  b.bytes(new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
  const path = join(tmp.dir, "v2.gguf");
  await writeFile(path, b.view());
  const h = await readGgufHeader(path);
  assert.equal(h.version, 2);
  assert.equal(h.tensors[0]!.byteSize, 24);
  assert.equal(h.tensors[0]!.absoluteOffset + 24, h.fileSize);
});

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { readSafetensorsHeader, SAFETENSORS_MAX_HEADER_BYTES } from "../../src/formats/safetensors/read-safetensors-header.js";
import { readTensorBytes } from "../../src/formats/safetensors/read-tensor-data.js";
import { SAFETENSORS_DTYPES, type SafetensorsDtype } from "../../src/formats/safetensors/safetensors-dtypes.js";
import { buildSafetensorsHeader, writeSafetensors } from "../../src/formats/safetensors/safetensors-writer.js";
import { MALFORMED_SAFETENSORS, rawSafetensors, writeMalformedSafetensorsFiles } from "../fixtures/make-bad-safetensors.js";
import { SeededRandom } from "../fixtures/seeded-random.js";
import { assertRejectsWith, tempDir } from "./helpers.js";

const tmp = tempDir("st-header");
after(tmp.cleanup);

test("header bytes match the reference Rust writer's vectors (tensor.rs tests)", () => {
  const one = buildSafetensorsHeader([{ name: "attn.0", dtype: "F32", shape: [1, 2, 3] }]);
  assert.equal(one.bytes.subarray(8).toString(), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  assert.deepEqual([...one.bytes.subarray(0, 8)], [0x40, 0, 0, 0, 0, 0, 0, 0]);

  const padded = buildSafetensorsHeader([{ name: "attn0", dtype: "F32", shape: [1, 1, 2, 3] }]);
  assert.equal(padded.bytes.readBigUInt64LE(0), 72n);
  assert.equal(padded.bytes.subarray(8).toString(), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + " ".repeat(7));

  const empty = buildSafetensorsHeader([]);
  assert.equal(empty.bytes.subarray(8).toString(), "{}" + " ".repeat(6));
  const meta = buildSafetensorsHeader([], { metadata: { framework: "pt" } });
  assert.equal(meta.bytes.readBigUInt64LE(0), 40n);
  assert.equal(meta.bytes.subarray(8).toString(), '{"__metadata__":{"framework":"pt"}}' + " ".repeat(5));
});

test("writing then reading the reference vector gives the exact upstream file bytes", async () => {
  const path = join(tmp.dir, "ref.safetensors");
  await writeSafetensors(path, [{ name: "attn.0", dtype: "F32", shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) }]);
  const bytes = await readFile(path);
  assert.equal(bytes.length, 8 + 64 + 24);
  const h = await readSafetensorsHeader(path);
  assert.equal(h.headerSize, 64);
  assert.equal(h.dataStart, 72);
  const t = h.byName.get("attn.0")!;
  assert.deepEqual([t.start, t.end, t.numel, t.byteSize], [72, 96, 6, 24]);
  assert.deepEqual(new Float32Array(new Uint8Array(await readTensorBytes(path, t)).buffer), new Float32Array([0, 1, 2, 3, 4, 5]));
});

test("round trip: every dtype, scalar and zero-size tensors, metadata, integer-like names keep header order", async () => {
  const rng = new SeededRandom(7);
  const dtypes = Object.keys(SAFETENSORS_DTYPES) as SafetensorsDtype[];
  const tensors = dtypes.map((dtype, i) => {
    const shape = [i + 1, 3];
    return { name: `t.${dtype}`, dtype, shape, data: rng.bytes(shape[0]! * 3 * SAFETENSORS_DTYPES[dtype]) };
  });
  tensors.push({ name: "10", dtype: "F32", shape: [], data: rng.bytes(4) });
  tensors.push({ name: "2", dtype: "F16", shape: [0, 5], data: new Uint8Array(0) });
  tensors.push({ name: "zz", dtype: "U8", shape: [5], data: rng.bytes(5) });
  const path = join(tmp.dir, "all.safetensors");
  await writeSafetensors(path, tensors, { metadata: { format: "pt", note: "ünïcode ✓" } });
  const h = await readSafetensorsHeader(path);
  assert.deepEqual(h.metadata, { format: "pt", note: "ünïcode ✓" });
  assert.deepEqual(h.tensors.map((t) => t.name), tensors.map((t) => t.name), "header order = written order, even for '10' and '2'");
  assert.equal(h.dataStart % 8, 0, "padded to 8");
  for (const t of tensors) {
    const info = h.byName.get(t.name)!;
    assert.equal(info.dtype, t.dtype);
    assert.deepEqual(info.shape, t.shape);
    assert.deepEqual(new Uint8Array(await readTensorBytes(path, info)), t.data, t.name);
  }
  assert.equal(h.byName.get("10")!.numel, 1, "scalar has one element");
  assert.equal(h.byName.get("2")!.byteSize, 0);
});

test("unpadded (MLX-style) headers and unsorted offsets are read", async () => {
  const a = new Float32Array([1, 2]);
  const b = new Uint8Array([9, 8, 7]);
  // Data order differs from header order, as MLX's unordered_map may produce.
  const header = `{"__metadata__":{"format":"mlx"},"a":{"dtype":"F32","shape":[2],"data_offsets":[3,11]},"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}`;
  const file = rawSafetensors(header, 11);
  file.set(b, 8 + header.length);
  file.set(new Uint8Array(a.buffer), 8 + header.length + 3);
  const path = join(tmp.dir, "mlx.safetensors");
  await writeFile(path, file);
  const h = await readSafetensorsHeader(path);
  assert.equal(h.headerSize, header.length);
  assert.deepEqual(new Float32Array(new Uint8Array(await readTensorBytes(path, h.byName.get("a")!)).buffer), a);
  assert.deepEqual(new Uint8Array(await readTensorBytes(path, h.byName.get("b")!)), b);
});

test("allowGaps accepts gaps and trailing bytes but still rejects overlaps", async () => {
  const gap = join(tmp.dir, "gap.safetensors");
  await writeFile(gap, MALFORMED_SAFETENSORS["gap between tensors"]!.bytes());
  await assertRejectsWith(() => readSafetensorsHeader(gap), "FMT_INVALID", /gap of 4 bytes/, gap);
  const h = await readSafetensorsHeader(gap, { allowGaps: true });
  assert.equal(h.tensors.length, 2);
  const overlap = join(tmp.dir, "overlap.safetensors");
  await writeFile(overlap, MALFORMED_SAFETENSORS["overlapping offsets"]!.bytes());
  await assertRejectsWith(() => readSafetensorsHeader(overlap, { allowGaps: true }), "FMT_INVALID", /overlap/, overlap);
});

test("every malformed safetensors file fails with its code, a precise message and the file name", async () => {
  const files = await writeMalformedSafetensorsFiles(tmp.dir);
  assert.ok(files.size >= 20);
  for (const [name, path] of files) {
    const c = MALFORMED_SAFETENSORS[name]!;
    await assertRejectsWith(() => readSafetensorsHeader(path), c.code, c.message, path);
  }
});

test("absurd header lengths fail before any large allocation", async () => {
  for (const name of ["header claims 100 GB", "header length beyond file size", "header claims 2^64-1"]) {
    const path = join(tmp.dir, `alloc-${name.replace(/\W+/g, "-")}.safetensors`);
    await writeFile(path, MALFORMED_SAFETENSORS[name]!.bytes());
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    await assertRejectsWith(() => readSafetensorsHeader(path), "FMT_INVALID", /header length/, path);
    const grew = process.memoryUsage().arrayBuffers - before;
    assert.ok(grew < 16 << 20, `${name}: array buffers grew by ${grew} bytes`);
    assert.ok(performance.now() - t0 < 1000, `${name}: took too long`);
  }
  assert.equal(SAFETENSORS_MAX_HEADER_BYTES, 100_000_000);
});

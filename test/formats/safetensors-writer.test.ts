import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { openSafetensorsCheckpoint } from "../../src/formats/safetensors/read-safetensors-index.js";
import { iterateCheckpointTensors } from "../../src/formats/safetensors/read-tensor-data.js";
import { referenceTensorOrder, SafetensorsWriter, type SafetensorsTensorDecl } from "../../src/formats/safetensors/safetensors-writer.js";
import { formatSafetensorsIndex, planSafetensorsShards, shardFileName, writeShardedSafetensors } from "../../src/formats/safetensors/write-sharded-safetensors.js";
import { SeededRandom } from "../fixtures/seeded-random.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir("st-writer");
after(tmp.cleanup);

async function rejectsInternal(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(fn, (err: unknown) => isCortexError(err) && err.code === "INTERNAL" && re.test(err.message));
}

test("streams chunks into a temp file that appears at the final path only on finish", async () => {
  const path = join(tmp.dir, "stream.safetensors");
  const w = await SafetensorsWriter.create(path, [
    { name: "a", dtype: "F32", shape: [4] },
    { name: "empty", dtype: "F32", shape: [0] },
    { name: "b", dtype: "U8", shape: [3] },
  ]);
  assert.equal(w.tempPath, `${path}.tmp-${process.pid}`);
  assert.ok(existsSync(w.tempPath));
  assert.ok(!existsSync(path));
  await w.writeTensorData("a", new Float32Array([1, 2]));
  await w.writeTensorData("a", new Float32Array([3, 4]));
  await rejectsInternal(() => w.writeTensorData("a", new Uint8Array(1)), /expected data for tensor "b"/);
  await w.writeTensorData("b", new Uint8Array([7, 8, 9]));
  await w.finish();
  assert.ok(existsSync(path));
  assert.ok(!existsSync(w.tempPath));
  const h = await readSafetensorsHeader(path);
  assert.deepEqual(h.tensors.map((t) => [t.name, t.byteSize]), [["a", 16], ["empty", 0], ["b", 3]]);
});

test("misuse is refused and abort / incomplete finish remove the temp file", async () => {
  const path = join(tmp.dir, "bad.safetensors");
  const decls: SafetensorsTensorDecl[] = [{ name: "x", dtype: "F16", shape: [2] }, { name: "y", dtype: "F16", shape: [1] }];
  const w = await SafetensorsWriter.create(path, decls);
  await rejectsInternal(() => w.writeTensorData("y", new Uint16Array(1)), /expected data for tensor "x", got "y"/);
  await rejectsInternal(() => w.writeTensorData("x", new Uint16Array(3)), /tensor "x" is 4 bytes, got 6/);
  await w.writeTensorData("x", new Uint16Array(2));
  await rejectsInternal(() => w.finish(), /finish\(\) with tensor "y" at 0 of 2 bytes/);
  assert.ok(!existsSync(w.tempPath) && !existsSync(path));

  const w2 = await SafetensorsWriter.create(path, decls);
  await w2.writeTensorData("x", new Uint16Array(2));
  await w2.abort();
  await w2.abort();
  assert.deepEqual((await readdir(tmp.dir)).filter((f) => f.startsWith("bad")), []);

  await rejectsInternal(() => SafetensorsWriter.create(path, [decls[0]!, decls[0]!]), /duplicate tensor "x"/);
  await rejectsInternal(() => SafetensorsWriter.create(path, [{ name: "z", dtype: "F32", shape: [-1] }]), /invalid shape/);
});

test("referenceTensorOrder sorts by descending dtype alignment, then name", () => {
  const order = referenceTensorOrder([
    { name: "b", dtype: "F32", shape: [1] },
    { name: "a", dtype: "BF16", shape: [1] },
    { name: "c", dtype: "I64", shape: [1] },
    { name: "a", dtype: "F32", shape: [1] },
    { name: "m", dtype: "U8", shape: [1] },
  ]);
  assert.deepEqual(order.map((t) => `${t.dtype}:${t.name}`), ["I64:c", "F32:a", "F32:b", "BF16:a", "U8:m"]);
});

const decl = (name: string, bytes: number): SafetensorsTensorDecl => ({ name, dtype: "U8", shape: [bytes] });

test("shard planning follows huggingface_hub (oversized tensor gets its own earlier shard) and mlx-lm", () => {
  const tensors = [decl("a", 6), decl("b", 6), decl("c", 2), decl("big", 20), decl("d", 6), decl("e", 2), decl("f", 2)];
  const hf = planSafetensorsShards(tensors, 10, "hf");
  assert.deepEqual(hf.shards.map((s) => s.tensors.map((t) => t.name)), [["a"], ["big"], ["b", "c"], ["d", "e", "f"]]);
  assert.equal(hf.totalSize, 44);
  assert.deepEqual(hf.shards.map((s) => s.file), [1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`));
  assert.deepEqual([...hf.weightMap.keys()], ["a", "b", "c", "big", "d", "e", "f"]);
  const mlx = planSafetensorsShards(tensors, 10, "mlx");
  assert.deepEqual(mlx.shards.map((s) => s.tensors.map((t) => t.name)), [["a"], ["b", "c"], ["big"], ["d", "e", "f"]]);
  assert.equal(planSafetensorsShards(tensors, 1000, "hf").shards[0]!.file, "model.safetensors");
  assert.equal(shardFileName(11, 12), "model-00012-of-00012.safetensors");
});

test("index text is what transformers (indent 2, sorted, newline) and mlx-lm (indent 4) write", () => {
  const plan = { totalSize: 12, weightMap: new Map([["z.w", "model-00002-of-00002.safetensors"], ["a.ü", "model-00001-of-00002.safetensors"]]) };
  assert.equal(
    formatSafetensorsIndex(plan, "hf"),
    '{\n  "metadata": {\n    "total_size": 12\n  },\n  "weight_map": {\n    "a.\\u00fc": "model-00001-of-00002.safetensors",\n    "z.w": "model-00002-of-00002.safetensors"\n  }\n}\n',
  );
  assert.equal(
    formatSafetensorsIndex(plan, "mlx", { total_parameters: 12 }),
    '{\n    "metadata": {\n        "total_size": 12,\n        "total_parameters": 12\n    },\n    "weight_map": {\n        "a.\\u00fc": "model-00001-of-00002.safetensors",\n        "z.w": "model-00002-of-00002.safetensors"\n    }\n}',
  );
});

test("writeShardedSafetensors: shards within the limit, index written, bytes read back bit-exact", async () => {
  const rng = new SeededRandom(3);
  const tensors = Array.from({ length: 9 }, (_, i) => ({ name: `layer.${i}.weight`, dtype: "F32" as const, shape: [8, i + 1], data: rng.bytes(32 * (i + 1)) }));
  for (const style of ["hf", "mlx"] as const) {
    const dir = join(tmp.dir, `sharded-${style}`);
    await (await import("node:fs/promises")).mkdir(dir);
    const lazy = tensors.map((t) => ({ ...t, data: async () => t.data }));
    const plan = await writeShardedSafetensors(dir, lazy, { maxShardBytes: 600, style });
    assert.ok(plan.shards.length > 1);
    for (const s of plan.shards) {
      assert.ok(s.bytes <= 600);
      const h = await readSafetensorsHeader(join(dir, s.file));
      assert.deepEqual(h.metadata, { format: style === "hf" ? "pt" : "mlx" });
      assert.equal(h.dataStart % 8 === 0 || style === "mlx", true);
    }
    const index = JSON.parse(await readFile(join(dir, "model.safetensors.index.json"), "utf8"));
    assert.equal(index.metadata.total_size, tensors.reduce((a, t) => a + t.data.length, 0));
    const ckpt = await openSafetensorsCheckpoint(dir);
    const seen = new Map<string, Uint8Array>();
    for await (const t of iterateCheckpointTensors(ckpt)) seen.set(t.name, new Uint8Array(t.data));
    assert.equal(seen.size, tensors.length);
    for (const t of tensors) assert.deepEqual(seen.get(t.name), t.data, t.name);
  }
});

test("single-shard hf output has no index; mlx always writes one", async () => {
  const fs = await import("node:fs/promises");
  for (const style of ["hf", "mlx"] as const) {
    const dir = join(tmp.dir, `single-${style}`);
    await fs.mkdir(dir);
    await writeShardedSafetensors(dir, [{ ...decl("x", 4), data: new Uint8Array(4) }], { maxShardBytes: 1 << 30, style });
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, style === "hf" ? ["model.safetensors"] : ["model.safetensors", "model.safetensors.index.json"]);
  }
});

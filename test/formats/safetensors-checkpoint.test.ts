import assert from "node:assert/strict";
import { readFile, writeFile, rm, copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { openSafetensorsCheckpoint, readSafetensorsIndex } from "../../src/formats/safetensors/read-safetensors-index.js";
import { iterateCheckpointTensors, readCheckpointTensorFloat32, tensorBytesToFloat32 } from "../../src/formats/safetensors/read-tensor-data.js";
import { writeSafetensors } from "../../src/formats/safetensors/safetensors-writer.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { assertRejectsWith, tempDir } from "./helpers.js";

const tmp = tempDir("st-ckpt");
after(tmp.cleanup);

test("HF fixture: config, tokenizer and weights are consistent, values bit-exact for f32/f16/bf16", async () => {
  for (const dtype of ["f32", "f16", "bf16"] as const) {
    const dir = join(tmp.dir, `llama-${dtype}`);
    const info = await makeHfCheckpoint(dir, { dtype });
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    assert.deepEqual(config.architectures, ["LlamaForCausalLM"]);
    assert.equal(config.torch_dtype, { f32: "float32", f16: "float16", bf16: "bfloat16" }[dtype]);
    assert.deepEqual([config.hidden_size, config.intermediate_size, config.num_hidden_layers, config.num_attention_heads, config.num_key_value_heads], [256, 512, 2, 4, 2]);

    const tok = JSON.parse(await readFile(join(dir, "tokenizer.json"), "utf8"));
    const vocab = tok.model.vocab as Record<string, number>;
    const ids = [...Object.values(vocab), ...tok.added_tokens.map((a: { id: number }) => a.id)].sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: config.vocab_size }, (_, i) => i), "ids 0..vocab_size-1, each once");
    assert.equal(vocab["!"], 0);
    assert.equal(vocab["Ġ"], 220, "GPT-2 byte order: space is id 220");
    assert.equal(tok.pre_tokenizer.type, "ByteLevel");
    for (const m of tok.model.merges as string[]) {
      const [l, r] = m.split(" ");
      assert.ok(l! in vocab && r! in vocab && l! + r! in vocab, `merge ${m} is consistent with the vocab`);
    }
    const specials = new Map(tok.added_tokens.map((a: { content: string; id: number }) => [a.content, a.id]));
    assert.equal(specials.get("<|begin_of_text|>"), config.bos_token_id);
    assert.equal(specials.get("<|end_of_text|>"), config.eos_token_id);
    const tc = JSON.parse(await readFile(join(dir, "tokenizer_config.json"), "utf8"));
    assert.match(tc.chat_template, /start_header_id/);

    const ckpt = await openSafetensorsCheckpoint(dir);
    assert.equal(ckpt.shards.length, 1);
    assert.equal(ckpt.shards[0]!.name, "model.safetensors");
    assert.deepEqual(ckpt.shards[0]!.header.metadata, { format: "pt" });
    assert.deepEqual([...ckpt.tensors.keys()].sort(), info.tensors.map((t) => t.name).sort());
    assert.deepEqual(ckpt.tensors.get("model.layers.1.self_attn.k_proj.weight")!.info.shape, [128, 256]);
    assert.deepEqual(ckpt.tensors.get("model.embed_tokens.weight")!.info.shape, [300, 256]);
    for (const name of ["model.embed_tokens.weight", "model.layers.0.input_layernorm.weight", "lm_head.weight"]) {
      const got = await readCheckpointTensorFloat32(ckpt, name);
      assert.deepEqual(got, info.expectedFloat32(name), name);
    }
  }
});

test("HF fixture is deterministic and supports variants (qwen2 biases, tied embeddings)", async () => {
  const a = await makeHfCheckpoint(join(tmp.dir, "det-a"), { hiddenSize: 64, intermediateSize: 128, seed: 5 });
  await makeHfCheckpoint(join(tmp.dir, "det-b"), { hiddenSize: 64, intermediateSize: 128, seed: 5 });
  for (const f of a.files) assert.deepEqual(await readFile(join(tmp.dir, "det-a", f)), await readFile(join(tmp.dir, "det-b", f)), f);

  const q = await makeHfCheckpoint(join(tmp.dir, "qwen"), { arch: "qwen2", hiddenSize: 64, intermediateSize: 128, tieWordEmbeddings: true });
  const names = q.tensors.map((t) => t.name);
  assert.ok(names.includes("model.layers.0.self_attn.q_proj.bias"));
  assert.ok(!names.includes("lm_head.weight"));
  assert.deepEqual(q.config.architectures, ["Qwen2ForCausalLM"]);
});

test("sharded fixture: index + shards, iteration yields every tensor once with its bytes", async () => {
  const dir = join(tmp.dir, "sharded");
  const info = await makeHfCheckpoint(dir, { shards: 3, dtype: "f16", hiddenSize: 64, intermediateSize: 128 });
  assert.ok(info.files.includes("model-00002-of-00003.safetensors"));
  const index = await readSafetensorsIndex(join(dir, "model.safetensors.index.json"));
  assert.deepEqual(index.shards, ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"]);
  const ckpt = await openSafetensorsCheckpoint(dir);
  assert.equal(ckpt.index?.totalSize, ckpt.totalBytes);
  const seen: string[] = [];
  for await (const t of iterateCheckpointTensors(ckpt, { order: "offset" })) {
    seen.push(t.name);
    assert.equal(t.data.length, t.info.byteSize);
    assert.deepEqual(tensorBytesToFloat32(t.data, t.info.dtype), info.expectedFloat32(t.name), t.name);
  }
  assert.deepEqual(seen.sort(), info.tensors.map((t) => t.name).sort());

  const some: string[] = [];
  for await (const t of iterateCheckpointTensors(ckpt, { names: ["model.norm.weight", "lm_head.weight"] })) some.push(t.name);
  assert.deepEqual(some.sort(), ["lm_head.weight", "model.norm.weight"]);

  const ac = new AbortController();
  ac.abort();
  await assert.rejects(async () => {
    for await (const _ of iterateCheckpointTensors(ckpt, { signal: ac.signal })) void _;
  }, { name: "AbortError" });
});

async function shardedCopy(name: string): Promise<string> {
  const dir = join(tmp.dir, name);
  await makeHfCheckpoint(dir, { shards: 2, hiddenSize: 64, intermediateSize: 128, numLayers: 1 });
  return dir;
}

test("index validation: missing shard, tensor not in its shard, unmapped tensor, bad names", async () => {
  const missing = await shardedCopy("missing");
  await rm(join(missing, "model-00002-of-00002.safetensors"));
  const idx = join(missing, "model.safetensors.index.json");
  await assertRejectsWith(() => openSafetensorsCheckpoint(missing), "FMT_INVALID", /tensor\(s\) to shard "model-00002-of-00002\.safetensors", which does not exist/, idx);

  const wrong = await shardedCopy("wrong");
  const wIdx = join(wrong, "model.safetensors.index.json");
  const j = JSON.parse(await readFile(wIdx, "utf8"));
  const shardOf = j.weight_map["model.norm.weight"] as string;
  j.weight_map["model.norm.weight"] = shardOf.startsWith("model-00001") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
  await writeFile(wIdx, JSON.stringify(j));
  await assertRejectsWith(() => openSafetensorsCheckpoint(wrong), "FMT_INVALID", /tensor "model\.norm\.weight" is mapped to "model-0000\d-of-00002\.safetensors" but that shard has no such tensor/, wIdx);

  const unmapped = await shardedCopy("unmapped");
  const uIdx = join(unmapped, "model.safetensors.index.json");
  const u = JSON.parse(await readFile(uIdx, "utf8"));
  delete u.weight_map["lm_head.weight"];
  await writeFile(uIdx, JSON.stringify(u));
  await assertRejectsWith(() => openSafetensorsCheckpoint(unmapped), "FMT_INVALID", /holds tensor "lm_head\.weight", which the weight_map does not list/, uIdx);

  const bad = join(tmp.dir, "badidx");
  await mkdir(bad);
  const bIdx = join(bad, "model.safetensors.index.json");
  await writeFile(bIdx, JSON.stringify({ weight_map: { w: "../escape.safetensors" } }));
  await assertRejectsWith(() => readSafetensorsIndex(bIdx), "FMT_INVALID", /"weight_map"\."w" names "\.\.\/escape\.safetensors", which is not a plain file name/, bIdx);
  await writeFile(bIdx, "{nope");
  await assertRejectsWith(() => readSafetensorsIndex(bIdx), "FMT_INVALID", /not valid JSON/, bIdx);
  await writeFile(bIdx, JSON.stringify({ metadata: { total_size: -1 }, weight_map: {} }));
  await assertRejectsWith(() => readSafetensorsIndex(bIdx), "FMT_INVALID", /total_size" must be a non-negative integer/, bIdx);
});

test("without an index: model*.safetensors are globbed; a tensor in two shards is rejected", async () => {
  const dir = join(tmp.dir, "glob");
  await mkdir(dir);
  await assertRejectsWith(() => openSafetensorsCheckpoint(dir), "FMT_INVALID", /no model\.safetensors\.index\.json and no model\*\.safetensors files/, dir);
  await writeSafetensors(join(dir, "model-00001-of-00002.safetensors"), [{ name: "a", dtype: "F32", shape: [1], data: new Float32Array([1]) }]);
  await writeSafetensors(join(dir, "model-00002-of-00002.safetensors"), [{ name: "b", dtype: "F32", shape: [1], data: new Float32Array([2]) }]);
  const ok = await openSafetensorsCheckpoint(dir);
  assert.deepEqual([...ok.tensors.keys()], ["a", "b"]);
  await copyFile(join(dir, "model-00001-of-00002.safetensors"), join(dir, "model-extra.safetensors"));
  await assertRejectsWith(() => openSafetensorsCheckpoint(dir), "FMT_INVALID", /tensor "a" occurs in both "model-00001-of-00002\.safetensors" and "model-extra\.safetensors"/, dir);
  const single = await openSafetensorsCheckpoint(join(dir, "model-00002-of-00002.safetensors"));
  assert.deepEqual([...single.tensors.keys()], ["b"]);
});

test("tensorBytesToFloat32: F64 rounding, unaligned input, unsupported dtypes", () => {
  const f64 = new Float64Array([0.1, -2.5, 1e300]);
  assert.deepEqual(tensorBytesToFloat32(new Uint8Array(f64.buffer), "F64"), new Float32Array([0.1, -2.5, Infinity]));
  const raw = new Uint8Array(9);
  raw.set(new Uint8Array(new Float32Array([1.5, -3]).buffer), 1);
  assert.deepEqual(tensorBytesToFloat32(raw.subarray(1), "F32"), new Float32Array([1.5, -3]));
  const bf = new Uint8Array(5);
  bf.set([0x80, 0x3f, 0x00, 0xc0], 1);
  assert.deepEqual(tensorBytesToFloat32(bf.subarray(1), "BF16"), new Float32Array([1, -2]));
  assert.throws(() => tensorBytesToFloat32(new Uint8Array(4), "I32"), { code: "FMT_UNSUPPORTED" });
  assert.throws(() => tensorBytesToFloat32(new Uint8Array(3), "F16"), { code: "FMT_INVALID" });
});

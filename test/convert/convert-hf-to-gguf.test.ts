/**
 * convertHfToGguf on the fixture checkpoints, read back with our GGUF reader: the metadata keys (in order,
 * with types and values) and tensors convert_hf_to_gguf.py writes for this input — hand-derived from
 * conversion/base.py (ModelBase/TextModel), conversion/llama.py and gguf-py (Metadata, SpecialVocab) — and
 * the tensor data (bf16 → f16/f32 exact, q/k permuted, q8_0 within its rounding bound).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { permuteQk } from "../../src/convert/arch-llama.js";
import { convertHfToGguf, type ConvertProgress } from "../../src/convert/convert-hf-to-gguf.js";
import { GGML_TYPE as G } from "../../src/formats/gguf/ggml-types.js";
import { GGUF_VALUE_TYPE as T, type GgufArray } from "../../src/formats/gguf/gguf-values.js";
import { readGgufHeader, type GgufHeader, type GgufTensorInfo } from "../../src/formats/gguf/read-gguf-header.js";
import { f16ToFloat32, float32ToF16 } from "../../src/formats/half-float.js";
import { makeHfCheckpoint, type HfCheckpointInfo } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../formats/helpers.js";

const tmp = tempDir("convert");
after(tmp.cleanup);

function tensorF32(file: Buffer, t: GgufTensorInfo): Float32Array {
  const raw = file.subarray(t.absoluteOffset, t.absoluteOffset + t.byteSize);
  const copy = new Uint8Array(raw);
  if (t.type === G.F32) return new Float32Array(copy.buffer);
  if (t.type === G.F16) return f16ToFloat32(new Uint16Array(copy.buffer));
  if (t.type === G.BF16) return Float32Array.from(new Uint16Array(copy.buffer), (h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]!);
  throw new Error(`no decoder for type ${t.type}`);
}

const get = (h: GgufHeader, key: string): unknown => h.kv.get(key)?.value;

test("llama bf16 → f16: the metadata convert_hf_to_gguf.py writes, in its order, with its value types", async () => {
  const info = await makeHfCheckpoint(join(tmp.dir, "tiny-llama"), { arch: "llama", dtype: "bf16" });
  const out = join(tmp.dir, "tiny-llama-f16.gguf");
  const r = await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype: "f16" });
  const h = await readGgufHeader(out);
  // general.architecture (GGUFWriter ctor) → general.type (set_type) → Metadata.set_gguf_meta_model (name from
  // the folder "tiny-llama", size label from the parameter count) → TextModel.set_gguf_parameters (+ LlamaModel:
  // vocab_size, rope.dimension_count) → quantization_version → LlamaModel.set_vocab: tokenizer.json is BPE
  // without byte_fallback, so _set_vocab_gpt2 (model, pre, tokens, token_type) then SpecialVocab.add_to_gguf
  // (merges, bos/eos from tokenizer_config, add_bos + add_sep from the TemplateProcessing post-processor, template).
  const expected: [string, number, unknown][] = [
    ["general.architecture", T.STRING, "llama"],
    ["general.type", T.STRING, "model"],
    ["general.name", T.STRING, "Tiny Llama"],
    ["general.size_label", T.STRING, "1.3M"],
    ["llama.block_count", T.UINT32, 2],
    ["llama.context_length", T.UINT32, 2048],
    ["llama.embedding_length", T.UINT32, 256],
    ["llama.feed_forward_length", T.UINT32, 512],
    ["llama.attention.head_count", T.UINT32, 4],
    ["llama.attention.head_count_kv", T.UINT32, 2],
    ["llama.rope.freq_base", T.FLOAT32, 500000],
    ["llama.attention.layer_norm_rms_epsilon", T.FLOAT32, Math.fround(1e-5)],
    ["llama.attention.key_length", T.UINT32, 64],
    ["llama.attention.value_length", T.UINT32, 64],
    ["general.file_type", T.UINT32, 1],
    ["llama.vocab_size", T.UINT32, 300],
    ["llama.rope.dimension_count", T.UINT32, 64],
    ["general.quantization_version", T.UINT32, 2],
    ["tokenizer.ggml.model", T.STRING, "gpt2"],
    ["tokenizer.ggml.pre", T.STRING, "gpt-2"],
    ["tokenizer.ggml.tokens", T.ARRAY, undefined],
    ["tokenizer.ggml.token_type", T.ARRAY, undefined],
    ["tokenizer.ggml.merges", T.ARRAY, undefined],
    ["tokenizer.ggml.bos_token_id", T.UINT32, info.bosTokenId],
    ["tokenizer.ggml.eos_token_id", T.UINT32, info.bosTokenId + 4], // tokenizer_config eos_token <|eot_id|>
    ["tokenizer.ggml.add_bos_token", T.BOOL, true],
    ["tokenizer.ggml.add_sep_token", T.BOOL, false],
    ["tokenizer.chat_template", T.STRING, JSON.parse(readFileSync(join(info.dir, "tokenizer_config.json"), "utf8")).chat_template],
  ];
  assert.deepEqual([...h.kv.keys()], expected.map((e) => e[0]));
  for (const [k, type, value] of expected) {
    assert.equal(h.kv.get(k)!.type, type, `type of ${k}`);
    if (value !== undefined) assert.equal(h.kv.get(k)!.value, value, k);
  }
  const tokens = (get(h, "tokenizer.ggml.tokens") as GgufArray).items as string[];
  const types = (get(h, "tokenizer.ggml.token_type") as GgufArray).items as Int32Array;
  const tj = JSON.parse(readFileSync(join(info.dir, "tokenizer.json"), "utf8"));
  assert.equal(tokens.length, 300);
  assert.equal((get(h, "tokenizer.ggml.token_type") as GgufArray).itemType, T.INT32);
  for (const [tok, id] of Object.entries(tj.model.vocab as Record<string, number>)) assert.equal(tokens[id], tok);
  for (const a of tj.added_tokens as { id: number; content: string }[]) {
    assert.equal(tokens[a.id], a.content);
    assert.equal(types[a.id], 3, `${a.content} is CONTROL`);
  }
  assert.equal(types[0], 1);
  assert.deepEqual((get(h, "tokenizer.ggml.merges") as GgufArray).items, tj.model.merges);
  assert.equal(r.tokenizer.preDetection?.method, "pattern");

  // Tensors: the shard's header order, names mapped, dims reversed, 1-D and norms F32, the rest F16.
  const names = info.tensors.map((t) => t.name).sort(); // the safetensors writer orders one-dtype shards by name
  const mapped = names.map((n) =>
    n.replace("lm_head", "output").replace("model.embed_tokens", "token_embd").replace("model.norm", "output_norm")
      .replace(/^model\.layers\.(\d+)\./, "blk.$1.").replace("input_layernorm", "attn_norm").replace("post_attention_layernorm", "ffn_norm")
      .replace("self_attn.q_proj", "attn_q").replace("self_attn.k_proj", "attn_k").replace("self_attn.v_proj", "attn_v").replace("self_attn.o_proj", "attn_output")
      .replace("mlp.gate_proj", "ffn_gate").replace("mlp.up_proj", "ffn_up").replace("mlp.down_proj", "ffn_down"));
  assert.deepEqual(h.tensors.map((t) => t.name), mapped);
  for (const t of h.tensors) {
    const src = info.tensors.find((x) => mapped[names.indexOf(x.name)] === t.name)!;
    assert.deepEqual(t.dims, [...src.shape].reverse(), t.name);
    assert.equal(t.type, src.shape.length === 1 ? G.F32 : G.F16, t.name);
  }
  assert.equal(r.parameterCount, 1_334_528);
});

/** Expected f32 values of a GGUF tensor from the fixture: permuted for q/k, otherwise as stored. */
function expectedValues(info: HfCheckpointInfo, hfName: string): Float32Array {
  const v = info.expectedFloat32(hfName);
  const shape = info.tensors.find((t) => t.name === hfName)!.shape;
  const c = info.config as Record<string, number>;
  if (/q_proj\.(weight|bias)$/.test(hfName)) return permuteQk(v, shape, c.num_attention_heads!);
  if (/k_proj\.(weight|bias)$/.test(hfName)) return permuteQk(v, shape, c.num_attention_heads!, c.num_key_value_heads!);
  return v;
}

for (const [src, outtype, shards] of [["bf16", "f32", 1], ["f16", "f16", 2], ["f32", "f32", 3], ["bf16", "bf16", 1]] as const) {
  test(`llama ${src} (${shards} shard${shards > 1 ? "s" : ""}) → ${outtype}: every value exact, q/k rows in llama.cpp's interleaved order`, async () => {
    const info = await makeHfCheckpoint(join(tmp.dir, `data-${src}-${outtype}`), { arch: "llama", dtype: src, shards });
    const out = join(tmp.dir, `data-${src}-${outtype}.gguf`);
    await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype });
    const h = await readGgufHeader(out);
    const file = readFileSync(out);
    const byGguf = (hf: string): string => hf.replace(/^model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.weight$/, (_m, l, p) => `blk.${l}.attn_${p === "o" ? "output" : p}.weight`)
      .replace(/^model\.layers\.(\d+)\.mlp\.(gate|up|down)_proj\.weight$/, "blk.$1.ffn_$2.weight").replace("model.embed_tokens.weight", "token_embd.weight")
      .replace(/^model\.layers\.(\d+)\.input_layernorm\.weight$/, "blk.$1.attn_norm.weight").replace(/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, "blk.$1.ffn_norm.weight")
      .replace("model.norm.weight", "output_norm.weight").replace("lm_head.weight", "output.weight");
    for (const t of info.tensors) {
      const g = h.tensors.find((x) => x.name === byGguf(t.name));
      assert.ok(g, `missing ${byGguf(t.name)}`);
      let want = expectedValues(info, t.name);
      if (g.type === G.F16) want = f16ToFloat32(float32ToF16(want));
      assert.deepEqual(tensorF32(file, g), want, t.name);
    }
    // The permutation really moved rows: q differs from the HF order.
    assert.notDeepEqual(expectedValues(info, "model.layers.0.self_attn.q_proj.weight"), info.expectedFloat32("model.layers.0.self_attn.q_proj.weight"));
  });
}

test("qwen2 → q8_0: biases and norms F32 and unpermuted, 2-D weights Q8_0 within half a quantization step", async () => {
  const info = await makeHfCheckpoint(join(tmp.dir, "qwen-q8"), { arch: "qwen2", dtype: "bf16" });
  const out = join(tmp.dir, "qwen-q8.gguf");
  const r = await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype: "q8_0" });
  assert.equal(r.ftypeLabel, "Q8_0");
  const h = await readGgufHeader(out);
  const file = readFileSync(out);
  assert.equal(get(h, "general.architecture"), "qwen2");
  assert.equal(get(h, "general.file_type"), 7);
  assert.equal(h.kv.has("qwen2.vocab_size"), false, "only LlamaModel writes vocab_size");
  const bias = h.tensors.find((t) => t.name === "blk.0.attn_k.bias")!;
  assert.equal(bias.type, G.F32);
  assert.deepEqual(tensorF32(file, bias), info.expectedFloat32("model.layers.0.self_attn.k_proj.bias"));
  const q = h.tensors.find((t) => t.name === "blk.1.attn_q.weight")!;
  assert.equal(q.type, G.Q8_0);
  const want = info.expectedFloat32("model.layers.1.self_attn.q_proj.weight");
  const raw = file.subarray(q.absoluteOffset, q.absoluteOffset + q.byteSize);
  for (let b = 0; b < want.length / 32; b++) {
    const d = f16ToFloat32(new Uint16Array([raw.readUInt16LE(b * 34)]))[0]!;
    for (let j = 0; j < 32; j++) {
      const got = d * raw.readInt8(b * 34 + 2 + j);
      // Rounding uses the f32 scale; the stored f16 scale is off by ≤ 2^-11 relative, times |q| ≤ 127.
      assert.ok(Math.abs(got - want[b * 32 + j]!) <= d * (0.5 + 127 / 2048), `block ${b}[${j}]: ${got} vs ${want[b * 32 + j]}`);
    }
  }
});

test("chunked reading gives the same file; progress reaches every tensor and byte, in order", async () => {
  const info = await makeHfCheckpoint(join(tmp.dir, "chunks"), { arch: "llama", dtype: "bf16", shards: 2 });
  const whole = join(tmp.dir, "chunks-whole.gguf");
  const chunked = join(tmp.dir, "chunks-small.gguf");
  await convertHfToGguf({ sourceDir: info.dir, outPath: whole, outtype: "q8_0" });
  const events: ConvertProgress[] = [];
  await convertHfToGguf({ sourceDir: info.dir, outPath: chunked, outtype: "q8_0", chunkBytes: 4096, onProgress: (p) => events.push(p) });
  assert.ok(readFileSync(whole).equals(readFileSync(chunked)));
  const last = events[events.length - 1]!;
  assert.equal(last.done, last.total);
  assert.equal(last.total, 21);
  assert.equal(last.bytesDone, last.bytesTotal);
  assert.ok(events.length > 2 * last.total, "large tensors report per chunk");
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.bytesDone >= events[i - 1]!.bytesDone && events[i]!.done >= events[i - 1]!.done);
  assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.includes(".converting") || f.includes(".tmp-")), []);
});

test("tied embeddings: no output.weight; auto picks bf16 from a bf16 checkpoint and f16 from an f32 one", async () => {
  const tied = await makeHfCheckpoint(join(tmp.dir, "tied"), { arch: "llama", dtype: "bf16", tieWordEmbeddings: true });
  const r = await convertHfToGguf({ sourceDir: tied.dir, outPath: join(tmp.dir, "tied.gguf") });
  assert.equal(r.ftypeLabel, "BF16");
  assert.equal(r.tensors.some((t) => t.name === "output.weight"), false);
  const f32 = await makeHfCheckpoint(join(tmp.dir, "f32src"), { arch: "llama", dtype: "f32" });
  const r2 = await convertHfToGguf({ sourceDir: f32.dir, outPath: join(tmp.dir, "f32src.gguf"), outtype: "AUTO" });
  assert.equal(r2.ftypeLabel, "F16");
  assert.equal(r2.tensors.find((t) => t.name === "token_embd.weight")!.type, G.F16);
});

test("config.json without head_dim / rope_theta: transformers' defaults apply as AutoConfig would (Llama keeps key_length, Qwen2 has none)", async () => {
  const strip = (dir: string): void => {
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    delete cfg.head_dim;
    delete cfg.rope_theta;
    delete cfg.num_key_value_heads;
    writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));
  };
  const llamaInfo = await makeHfCheckpoint(join(tmp.dir, "defaults-llama"), { arch: "llama", numKvHeads: 4 });
  strip(llamaInfo.dir);
  await convertHfToGguf({ sourceDir: llamaInfo.dir, outPath: join(tmp.dir, "defaults-llama.gguf") });
  const h = await readGgufHeader(join(tmp.dir, "defaults-llama.gguf"));
  assert.equal(get(h, "llama.attention.key_length"), 64); // LlamaConfig: head_dim = hidden_size // num_attention_heads
  assert.equal(get(h, "llama.rope.freq_base"), 10000); // LlamaConfig rope_theta default
  assert.equal(get(h, "llama.attention.head_count_kv"), 4); // num_key_value_heads defaults to num_attention_heads
  const qwenInfo = await makeHfCheckpoint(join(tmp.dir, "defaults-qwen"), { arch: "qwen2", numKvHeads: 4 });
  strip(qwenInfo.dir);
  await convertHfToGguf({ sourceDir: qwenInfo.dir, outPath: join(tmp.dir, "defaults-qwen.gguf") });
  const q = await readGgufHeader(join(tmp.dir, "defaults-qwen.gguf"));
  assert.equal(q.kv.has("qwen2.attention.key_length"), false); // Qwen2Config has no head_dim
  assert.equal(get(q, "qwen2.rope.freq_base"), 10000);
});

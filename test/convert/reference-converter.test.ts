/**
 * Byte-for-byte against llama.cpp's own convert_hf_to_gguf.py (the copy bundled with node-llama-cpp),
 * run on the same fixtures with small stand-ins for torch / transformers / sentencepiece / tqdm (not
 * installable here; see test/convert/python/fakes). Also read back with gguf-py's GGUFReader. Skips with a
 * printed reason when python3, numpy, PyYAML or the llama.cpp source is missing.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { convertHfToGguf } from "../../src/convert/convert-hf-to-gguf.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { makeHfArchCheckpoint, type ArchFixture } from "../fixtures/make-hf-arch-checkpoint.js";
import { makeHfCheckpoint, type HfCheckpointOptions } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../formats/helpers.js";
import { locatePython, referenceConvert, repoRoot, runPython } from "./helpers/python-reference.js";

const env = locatePython();
const skip = "skip" in env ? env.skip : false;
if (skip) console.log(`# convert_hf_to_gguf.py comparisons skipped: ${skip}`);
const llamaCpp = "llamaCpp" in env ? env.llamaCpp : "";
const tmp = tempDir("convert-ref");
after(tmp.cleanup);

/** First differing KV / tensor, for a readable failure instead of "buffers differ". */
async function describeDifference(ours: string, ref: string): Promise<string> {
  const [a, b] = [await readGgufHeader(ours), await readGgufHeader(ref)];
  const ka = [...a.kv.keys()].join(" ");
  const kb = [...b.kv.keys()].join(" ");
  if (ka !== kb) return `keys differ:\n ours ${ka}\n ref  ${kb}`;
  const enc = (v: unknown): string => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x instanceof Float32Array || x instanceof Int32Array ? Array.from(x) : x));
  for (const [k, v] of b.kv) {
    const o = a.kv.get(k)!;
    if (o.type !== v.type || enc(o.value) !== enc(v.value)) return `KV ${k}: ours ${o.type} ${enc(o.value).slice(0, 200)} ref ${v.type} ${enc(v.value).slice(0, 200)}`;
  }
  const fa = readFileSync(ours);
  const fb = readFileSync(ref);
  for (const [i, t] of b.tensors.entries()) {
    const o = a.tensors[i];
    if (!o || o.name !== t.name || o.type !== t.type || o.dims.join() !== t.dims.join()) return `tensor #${i}: ours ${o?.name} ${o?.typeName} [${o?.dims}] ref ${t.name} ${t.typeName} [${t.dims}]`;
    if (!fa.subarray(o.absoluteOffset, o.absoluteOffset + o.byteSize).equals(fb.subarray(t.absoluteOffset, t.absoluteOffset + t.byteSize))) return `tensor ${t.name}: data differs`;
  }
  return `${fa.length} vs ${fb.length} bytes`;
}

async function compare(dir: string, outtype: string): Promise<void> {
  const ours = `${dir}.ours.gguf`;
  const ref = `${dir}.ref.gguf`;
  const r = await convertHfToGguf({ sourceDir: dir, outPath: ours, outtype });
  referenceConvert(llamaCpp, dir, ref, outtype, r.tokenizer.preDetection?.method === "hash" ? "-" : r.tokenizer.pre);
  if (!readFileSync(ours).equals(readFileSync(ref))) assert.fail(`${dir} → ${outtype}: ${await describeDifference(ours, ref)}`);
}

const HF_CASES: [string, HfCheckpointOptions, string][] = [
  ["llama bf16 → f16", { arch: "llama", dtype: "bf16" }, "f16"],
  ["llama bf16 → q8_0", { arch: "llama", dtype: "bf16" }, "q8_0"],
  ["llama f16, 2 shards → f32", { arch: "llama", dtype: "f16", shards: 2 }, "f32"],
  ["llama f32, 3 shards → bf16", { arch: "llama", dtype: "f32", shards: 3 }, "bf16"],
  ["llama tied embeddings → auto (bf16)", { arch: "llama", dtype: "bf16", tieWordEmbeddings: true }, "auto"],
  ["llama 96-wide, 3 heads / 1 kv head → q8_0 with F16 fallback rows", { arch: "llama", dtype: "f16", hiddenSize: 96, intermediateSize: 200, numHeads: 3, numKvHeads: 1 }, "q8_0"],
  ["qwen2 (q/k/v biases) bf16 → f16, ChatML", { arch: "qwen2", dtype: "bf16", chatTemplate: "chatml" }, "f16"],
  ["qwen2 f32, 2 shards → q8_0", { arch: "qwen2", dtype: "f32", shards: 2 }, "q8_0"],
  ["mistral bf16 → auto", { arch: "mistral", dtype: "bf16" }, "auto"],
];

for (const [name, options, outtype] of HF_CASES) {
  test(`identical to convert_hf_to_gguf.py: ${name}`, { skip }, async () => {
    const info = await makeHfCheckpoint(join(tmp.dir, name.replace(/[^a-z0-9]+/gi, "-")), options);
    await compare(info.dir, outtype);
  });
}

const ARCH_CASES: [ArchFixture, "f32" | "f16" | "bf16", string][] = [
  ["qwen3", "bf16", "f16"],
  ["phi3", "bf16", "q8_0"],
  ["gemma", "f16", "f32"],
  ["gemma", "bf16", "bf16"],
  ["gemma2", "bf16", "f16"],
  ["llama-spm", "f32", "f16"],
  ["llama-hf", "bf16", "f16"],
];

for (const [arch, dtype, outtype] of ARCH_CASES) {
  test(`identical to convert_hf_to_gguf.py: ${arch} (${dtype} → ${outtype})`, { skip }, async () => {
    const dir = join(tmp.dir, `${arch}-${dtype}-${outtype}`);
    await makeHfArchCheckpoint(dir, { arch, dtype });
    if (arch === "llama-spm" || arch === "llama-hf") {
      // transformers' LlamaConfig adds head_dim; the reference runs without transformers, so state it.
      const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
      writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, head_dim: cfg.hidden_size / cfg.num_attention_heads }, null, 2));
    }
    await compare(dir, outtype);
  });
}

test("identical to convert_hf_to_gguf.py: Llama 3.1 rope scaling (rope_freqs) and model-card metadata", { skip }, async () => {
  const dir = join(tmp.dir, "Tiny-Llama-3.1-2M-Instruct");
  await makeHfCheckpoint(dir, { arch: "llama", dtype: "bf16", hiddenSize: 128, numHeads: 2, numKvHeads: 1 });
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  cfg.rope_scaling = { factor: 8.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: "llama3" };
  cfg._name_or_path = "cortex-test/Tiny-Llama-3.1-2M-Instruct";
  writeFileSync(join(dir, "config.json"), JSON.stringify(cfg, null, 2));
  writeFileSync(join(dir, "README.md"), [
    "---", "license: llama3.1", "language:", "- en", "- de", "base_model: meta-llama/Llama-3.1-8B", "tags:", "- facebook", "- llama-3", "pipeline_tag: text-generation", "---", "# Tiny", "",
  ].join("\n"));
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ bos_token_id: 293, eos_token_id: [294, 297], temperature: 0.6, top_p: 0.9, do_sample: true }, null, 2));
  await compare(dir, "bf16");
});

test("identical to convert_hf_to_gguf.py: Phi-3 128k (longrope factor tensors and attention factor)", { skip }, async () => {
  const dir = join(tmp.dir, "phi3-128k");
  await makeHfArchCheckpoint(dir, { arch: "phi3", dtype: "bf16" });
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  const half = cfg.hidden_size / cfg.num_attention_heads / 2;
  cfg.max_position_embeddings = 131072;
  cfg.rope_scaling = { type: "longrope", long_factor: Array.from({ length: half }, (_, i) => 1 + i * 0.37), short_factor: Array.from({ length: half }, (_, i) => 1 + i * 0.01) };
  writeFileSync(join(dir, "config.json"), JSON.stringify(cfg, null, 2));
  await compare(dir, "f16");
});

test("gguf-py's GGUFReader reads our files: same metadata, tensor names, dims, types and data as our reader", { skip }, async () => {
  const info = await makeHfCheckpoint(join(tmp.dir, "readback"), { arch: "qwen2", dtype: "bf16", shards: 2 });
  const out = join(tmp.dir, "readback.gguf");
  await convertHfToGguf({ sourceDir: info.dir, outPath: out, outtype: "q8_0" });
  const dump = JSON.parse(runPython(llamaCpp, join(repoRoot, "test", "formats", "python", "dump_gguf.py"), [out])) as {
    fields: { name: string; value: unknown }[];
    tensors: { name: string; type: number; dims: number[]; n_bytes: number }[];
  };
  const h = await readGgufHeader(out);
  assert.deepEqual(dump.fields.map((f) => f.name), [...h.kv.keys()]);
  assert.equal(dump.fields.find((f) => f.name === "tokenizer.ggml.pre")?.value, "gpt-2");
  assert.equal(dump.fields.find((f) => f.name === "general.architecture")?.value, "qwen2");
  assert.deepEqual(dump.tensors.map((t) => [t.name, t.type, t.dims, t.n_bytes]), h.tensors.map((t) => [t.name, t.type, [...t.dims], t.byteSize]));
});

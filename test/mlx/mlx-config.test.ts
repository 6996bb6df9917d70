import assert from "node:assert/strict";
import { test } from "node:test";
import { buildMlxConfig, detectMlxCheckpoint, parseMlxQuantization, quantizationForModule, serializeMlxConfig } from "../../src/mlx/mlx-config.js";
import { planQuantization, type ModuleInfo } from "../../src/mlx/quantize-rules.js";
import { assertCortexThrows } from "./helpers.js";

const hf = () => ({
  _name_or_path: "/tmp/llama",
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_size: 64,
  num_hidden_layers: 2,
  torch_dtype: "bfloat16",
  rms_norm_eps: 1e-5,
  quantization_config: { quant_method: "fp8" },
  vision_config: { hidden_size: 32 },
  name: "Llamé",
});

const modules = (): ModuleInfo[] => [
  { path: "model.embed_tokens", kind: "embedding", weightShape: [100, 64] },
  { path: "model.layers.0.self_attn.v_proj", kind: "linear", weightShape: [64, 64] },
  { path: "model.layers.0.mlp.down_proj", kind: "linear", weightShape: [64, 128] },
  { path: "model.layers.1.self_attn.v_proj", kind: "linear", weightShape: [64, 64] },
  { path: "model.layers.1.mlp.down_proj", kind: "linear", weightShape: [64, 128] },
  { path: "model.norm", kind: "other", weightShape: [64] },
];

test("uniform quantization: quantization and quantization_config, HF keys dropped, top-level keys sorted", () => {
  const src = hf();
  const config = buildMlxConfig(src, { plan: planQuantization(modules(), { bits: 4, groupSize: 64 }) });
  assert.deepEqual(config["quantization"], { group_size: 64, bits: 4, mode: "affine" });
  assert.deepEqual(config["quantization_config"], config["quantization"], "the HF quantization_config is overwritten");
  assert.equal("_name_or_path" in config, false);
  assert.equal("vision_config" in config, false);
  assert.deepEqual(Object.keys(config), [...Object.keys(config)].sort());
  assert.equal(src._name_or_path, "/tmp/llama", "the input is not modified");
});

test("mixed recipe: every quantized layer has an entry, in module order after the defaults", () => {
  const plan = planQuantization(modules(), { recipe: "mixed_3_6", numLayers: 2 });
  const q = buildMlxConfig(hf(), { plan })["quantization"] as Record<string, unknown>;
  // L = 2: L//8 = 0, 7L//8 = 1 → layer 1 high, layer 0 (i − 0) % 3 = 0 → low.
  assert.deepEqual(Object.keys(q), [
    "group_size",
    "bits",
    "mode",
    "model.embed_tokens",
    "model.layers.0.self_attn.v_proj",
    "model.layers.0.mlp.down_proj",
    "model.layers.1.self_attn.v_proj",
    "model.layers.1.mlp.down_proj",
  ]);
  assert.deepEqual(q["model.layers.1.mlp.down_proj"], { group_size: 64, bits: 6, mode: "affine" });
  assert.deepEqual(q["model.layers.0.mlp.down_proj"], { group_size: 64, bits: 3, mode: "affine" });
});

test("re-quantizing an MLX config adds per-layer entries and keeps the existing defaults", () => {
  const existing = { ...hf(), quantization: { group_size: 32, bits: 8, "model.layers.0.mlp.down_proj": { group_size: 32, bits: 8 } } };
  const plan = planQuantization(
    [{ path: "lm_head", kind: "linear", weightShape: [100, 64] }],
    { bits: 4, existingQuantization: existing.quantization },
  );
  const config = buildMlxConfig(existing, { plan });
  assert.deepEqual(config["quantization"], {
    group_size: 32,
    bits: 8,
    "model.layers.0.mlp.down_proj": { group_size: 32, bits: 8 },
    lm_head: { group_size: 64, bits: 4, mode: "affine" },
  });
  assert.deepEqual(config["quantization_config"], config["quantization"]);
  assertCortexThrows(() => buildMlxConfig(hf(), { plan }), "FMT_INVALID", "no quantization object");
});

test("dequantize drops both keys; eos_token_id comes from generation_config when truthy", () => {
  const config = buildMlxConfig({ ...hf(), quantization: { group_size: 64, bits: 4 } }, { dequantize: true, generationConfig: { eos_token_id: [1, 2] } });
  assert.equal("quantization" in config, false);
  assert.equal("quantization_config" in config, false);
  assert.deepEqual(config["eos_token_id"], [1, 2]);
  const kept = buildMlxConfig({ ...hf(), eos_token_id: 7 }, { generationConfig: { eos_token_id: null } });
  assert.equal(kept["eos_token_id"], 7);
});

test("serialized like json.dump(indent=4): 4-space indent, ASCII escapes, no trailing newline", () => {
  const text = serializeMlxConfig(buildMlxConfig(hf(), { plan: planQuantization(modules()) }));
  assert.ok(text.startsWith('{\n    "architectures": [\n        "LlamaForCausalLM"\n    ],\n'));
  assert.ok(text.includes('"name": "Llam\\u00e9"'));
  assert.ok(text.includes('    "quantization": {\n        "group_size": 64,\n        "bits": 4,\n        "mode": "affine"\n    },'));
  assert.ok(text.endsWith("}"));
  assert.deepEqual(JSON.parse(text)["quantization_config"], { group_size: 64, bits: 4, mode: "affine" });
});

test("detect: MLX-quantized, MLX layout without config, MLX metadata, HF pre-quantized, plain HF", () => {
  const q = detectMlxCheckpoint({ config: { quantization: { group_size: 64, bits: 4, lm_head: { group_size: 64, bits: 6, mode: "affine" } } } });
  assert.equal(q.kind, "mlx-quantized");
  assert.equal(q.alreadyMlx, true);
  assert.equal(q.quantization!.bits, 4);
  assert.equal(q.quantization!.mode, "affine", "older mlx-lm omitted mode: affine");
  assert.deepEqual(q.quantization!.perLayer.get("lm_head"), { group_size: 64, bits: 6, mode: "affine" });

  const layout = detectMlxCheckpoint({ config: {}, tensorNames: ["a.weight", "a.scales", "a.biases", "b.weight"] });
  assert.deepEqual([layout.kind, layout.mlxLoadable], ["mlx-quantized", false]);
  assert.match(layout.evidence[0]!, /a\.scales/);

  const plain = detectMlxCheckpoint({ config: {}, tensorNames: ["a.weight"], safetensorsMetadata: { format: "mlx" } });
  assert.deepEqual([plain.kind, plain.alreadyMlx], ["mlx", true]);

  const awq = detectMlxCheckpoint({ config: { quantization_config: { quant_method: "awq", bits: 4 } }, safetensorsMetadata: { format: "pt" } });
  assert.deepEqual([awq.kind, awq.alreadyMlx, awq.quantMethod, awq.mlxLoadable], ["hf-prequantized", false, "awq", true]);
  const fp8 = detectMlxCheckpoint({ config: { quantization_config: { quant_method: "fp8" } } });
  assert.deepEqual([fp8.kind, fp8.mlxLoadable], ["hf-prequantized", false]);

  const hfPlain = detectMlxCheckpoint({ config: { model_type: "llama" }, tensorNames: ["model.norm.weight"] });
  assert.deepEqual([hfPlain.kind, hfPlain.alreadyMlx], ["hf", false]);
});

test("loader rule: per-layer entry, then .scales present → defaults, else unquantized", () => {
  const q = parseMlxQuantization({ group_size: 64, bits: 4, mode: "affine", a: { group_size: 32, bits: 8, mode: "affine" }, b: false, c: true });
  assert.deepEqual(quantizationForModule(q, "a", false), { group_size: 32, bits: 8, mode: "affine" });
  assert.equal(quantizationForModule(q, "b", true), null);
  assert.deepEqual(quantizationForModule(q, "c", false), { group_size: 64, bits: 4, mode: "affine" });
  assert.deepEqual(quantizationForModule(q, "d", true), { group_size: 64, bits: 4, mode: "affine" });
  assert.equal(quantizationForModule(q, "d", false), null);
});

test("malformed quantization objects are rejected naming the field", () => {
  assertCortexThrows(() => detectMlxCheckpoint({ config: { quantization: 4 } }), "FMT_INVALID", "config.json quantization", "4");
  assertCortexThrows(() => parseMlxQuantization({ group_size: "64", bits: 4 }), "FMT_INVALID", "quantization.group_size", '"64"');
  assertCortexThrows(() => parseMlxQuantization({ group_size: 64 }), "FMT_INVALID", "quantization.bits", "nothing");
  assertCortexThrows(() => parseMlxQuantization({ group_size: 64, bits: 4, mode: 1 }), "FMT_INVALID", "quantization.mode");
  assertCortexThrows(() => parseMlxQuantization({ group_size: 64, bits: 4, lm_head: [6] }), "FMT_INVALID", '["lm_head"]');
  assertCortexThrows(() => parseMlxQuantization({ group_size: 64, bits: 4, lm_head: { bits: -1 } }), "FMT_INVALID", '["lm_head"]', "-1");
});

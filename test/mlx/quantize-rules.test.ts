import assert from "node:assert/strict";
import { test } from "node:test";
import { highBitLayers, mixedQuantPredicate, parseMixedRecipe, useMoreBits } from "../../src/mlx/mixed-recipes.js";
import { inferModulesFromTensors, planQuantization, type ModuleInfo } from "../../src/mlx/quantize-rules.js";
import { estimateQuantizedBytes, recipeByModelSize } from "../../src/mlx/size-recipe.js";
import { assertCortexThrows } from "./helpers.js";

/** Leaf modules of a llama with `layers` blocks, hidden 256, MLP 512, in mlx-lm module order. */
function llama(layers: number, opts: { lmHead?: boolean; hidden?: number } = {}): ModuleInfo[] {
  const h = opts.hidden ?? 256;
  const m: ModuleInfo[] = [{ path: "model.embed_tokens", kind: "embedding", weightShape: [1000, h] }];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    for (const x of ["q_proj", "k_proj", "v_proj", "o_proj"]) m.push({ path: `${p}.self_attn.${x}`, kind: "linear", weightShape: [h, h] });
    m.push({ path: `${p}.mlp.gate_proj`, kind: "linear", weightShape: [512, h] });
    m.push({ path: `${p}.mlp.down_proj`, kind: "linear", weightShape: [h, 512] });
    m.push({ path: `${p}.mlp.up_proj`, kind: "linear", weightShape: [512, h] });
    m.push({ path: `${p}.input_layernorm`, kind: "other", weightShape: [h] });
    m.push({ path: `${p}.post_attention_layernorm`, kind: "other", weightShape: [h] });
  }
  m.push({ path: "model.norm", kind: "other", weightShape: [h] });
  if (opts.lmHead) m.push({ path: "lm_head", kind: "linear", weightShape: [1000, h] });
  return m;
}

test("uniform plan: every Linear and Embedding, norms skipped, no per-layer config entries", () => {
  const plan = planQuantization(llama(2, { lmHead: true }));
  assert.deepEqual(plan.defaults, { group_size: 64, bits: 4, mode: "affine" });
  assert.equal(plan.fineGrained, false);
  assert.equal(plan.layers.length, 1 + 2 * 7 + 1);
  assert.equal(plan.layers[0]!.path, "model.embed_tokens");
  assert.equal(plan.layers.at(-1)!.path, "lm_head");
  assert.ok(plan.layers.every((l) => l.configEntry === undefined && l.params.bits === 4));
  assert.deepEqual(
    plan.skipped.map((s) => s.path),
    ["model.layers.0.input_layernorm", "model.layers.0.post_attention_layernorm", "model.layers.1.input_layernorm", "model.layers.1.post_attention_layernorm", "model.norm"],
  );
});

test("layers whose input dim does not divide by the group size are skipped silently", () => {
  const modules: ModuleInfo[] = [
    { path: "a", kind: "linear", weightShape: [64, 96] },
    { path: "b", kind: "linear", weightShape: [64, 128] },
    { path: "c", kind: "quantized", weightShape: [64, 16] },
  ];
  const plan = planQuantization(modules, { groupSize: 64, bits: 8 });
  assert.deepEqual(plan.layers.map((l) => l.path), ["b"]);
  assert.match(plan.skipped[0]!.reason, /96 is not divisible by group size 64/);
  assert.equal(plan.skipped[1]!.reason, "already quantized");
  assert.deepEqual(planQuantization(modules, { groupSize: 32 }).layers.map((l) => l.path), ["a", "b"]);
});

test("use_more_bits layer sets match the llama.cpp / mlx-lm table", () => {
  const table: Record<number, number[]> = {
    16: [0, 1, 4, 7, 10, 13, 14, 15],
    22: [0, 1, 4, 7, 10, 13, 16, 19, 20, 21],
    24: [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23],
    28: [0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 24, 25, 26, 27],
    32: [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31],
  };
  for (const [n, set] of Object.entries(table)) assert.deepEqual(highBitLayers(Number(n)), set, `L=${n}`);
  const l80 = highBitLayers(80);
  assert.deepEqual(l80.slice(0, 11), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12]);
  assert.deepEqual(l80.slice(-11), [69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79]);
  assert.equal(useMoreBits(5, 40), false);
});

test("mixed_4_6 on 16 layers: v_proj/down_proj 6-bit in high layers, lm_head 6-bit, the rest 4-bit, all recorded", () => {
  const plan = planQuantization(llama(16, { lmHead: true }), { recipe: "mixed_4_6" });
  const bitsOf = (p: string) => plan.layers.find((l) => l.path === p)!.params.bits;
  const high = [0, 1, 4, 7, 10, 13, 14, 15];
  for (let i = 0; i < 16; i++) {
    const want = high.includes(i) ? 6 : 4;
    assert.equal(bitsOf(`model.layers.${i}.self_attn.v_proj`), want, `v_proj ${i}`);
    assert.equal(bitsOf(`model.layers.${i}.mlp.down_proj`), want, `down_proj ${i}`);
    assert.equal(bitsOf(`model.layers.${i}.self_attn.q_proj`), 4);
    assert.equal(bitsOf(`model.layers.${i}.mlp.up_proj`), 4);
  }
  assert.equal(bitsOf("lm_head"), 6);
  assert.equal(bitsOf("model.embed_tokens"), 4, "embeddings (layer index 0) get the low bits");
  assert.ok(plan.layers.every((l) => l.configEntry !== undefined && l.configEntry.group_size === 64 && l.configEntry.mode === "affine"));
});

test("mixed recipes: low/high bits and the group size passed through", () => {
  const bitsSeen = (recipe: "mixed_2_6" | "mixed_3_4" | "mixed_3_6") =>
    new Set(planQuantization(llama(8, { lmHead: true }), { recipe, groupSize: 32 }).layers.map((l) => `${l.params.bits}/${l.params.group_size}`));
  assert.deepEqual([...bitsSeen("mixed_2_6")].sort(), ["2/32", "6/32"]);
  assert.deepEqual([...bitsSeen("mixed_3_4")].sort(), ["3/32", "4/32"]);
  assert.deepEqual([...bitsSeen("mixed_3_6")].sort(), ["3/32", "6/32"]);
  // Substring matching as in mlx-lm: DeepSeek-style v_b_proj counts, and so does kv_b_proj (it contains
  // "v_b_proj"); q_b_proj does not. L = 8: high layers {0, 3, 6, 7}.
  const pred = mixedQuantPredicate("mixed_3_6", ["model.layers.0.mlp.down_proj"], { groupSize: 64, numLayers: 8 });
  const linear: ModuleInfo = { path: "x", kind: "linear", weightShape: [64, 64] };
  const bits = (p: string) => (pred(p, linear) as { bits: number }).bits;
  assert.equal(bits("model.layers.0.self_attn.v_b_proj"), 6);
  assert.equal(bits("model.layers.0.self_attn.kv_b_proj"), 6);
  assert.equal(bits("model.layers.0.self_attn.q_b_proj"), 3);
  assert.equal(bits("model.layers.2.self_attn.v_b_proj"), 3);
  assert.equal(bits("model.layers.3.self_attn.v_b_proj"), 6);
});

test("numLayers comes from config when given, else from the paths", () => {
  // With 4 layers paths but L = 32 claimed, layer 3 is high (i < 32/8 = 4).
  const a = planQuantization(llama(4), { recipe: "mixed_4_6", numLayers: 32 });
  assert.equal(a.layers.find((l) => l.path === "model.layers.3.mlp.down_proj")!.params.bits, 6);
  // From paths L = 4: high = i < 0 or i ≥ 3 or (i − 0) % 3 == 2 → {2, 3}; layer 1 low.
  const b = planQuantization(llama(4), { recipe: "mixed_4_6" });
  assert.deepEqual(
    b.layers.filter((l) => l.path.endsWith("down_proj")).map((l) => l.params.bits),
    [4, 4, 6, 6],
  );
});

test("quantizing an already-MLX config records every new layer (fine-grained)", () => {
  const plan = planQuantization(llama(1), { existingQuantization: { group_size: 64, bits: 4 } });
  assert.equal(plan.fineGrained, true);
  assert.ok(plan.layers.every((l) => l.configEntry && l.configEntry.bits === 4));
});

test("a model predicate can skip layers or override their parameters", () => {
  const modules: ModuleInfo[] = [
    { path: "model.layers.0.mlp.gate", kind: "linear", weightShape: [8, 128] },
    { path: "model.layers.0.mlp.experts", kind: "switch_linear", weightShape: [8, 64, 128] },
    { path: "model.layers.0.conv", kind: "linear", weightShape: [64, 128] },
  ];
  const plan = planQuantization(modules, {
    predicate: (p) => (p.endsWith("mlp.gate") ? { group_size: 64, bits: 8, mode: "affine" } : !p.endsWith("conv")),
  });
  assert.deepEqual(plan.layers.map((l) => [l.path, l.params.bits, l.configEntry?.bits]), [
    ["model.layers.0.mlp.gate", 8, 8],
    ["model.layers.0.mlp.experts", 4, undefined],
  ]);
  assert.deepEqual(plan.skipped, [{ path: "model.layers.0.conv", reason: "excluded by the predicate" }]);
});

test("inferModulesFromTensors: kinds from names and shapes, first-seen order", () => {
  const mods = inferModulesFromTensors([
    { name: "model.embed_tokens.weight", shape: [1000, 64] },
    { name: "model.layers.0.self_attn.q_proj.weight", shape: [64, 64] },
    { name: "model.layers.0.self_attn.q_proj.bias", shape: [64] },
    { name: "model.layers.0.input_layernorm.weight", shape: [64] },
    { name: "model.layers.0.mlp.switch_mlp.up_proj.weight", shape: [4, 128, 64] },
    { name: "model.layers.0.mlp.down_proj.weight", shape: [64, 16] },
    { name: "model.layers.0.mlp.down_proj.scales", shape: [64, 2] },
    { name: "model.layers.0.self_attn.rotary_emb.inv_freq", shape: [32] },
  ]);
  assert.deepEqual(mods.map((m) => [m.path, m.kind]), [
    ["model.embed_tokens", "embedding"],
    ["model.layers.0.self_attn.q_proj", "linear"],
    ["model.layers.0.input_layernorm", "other"],
    ["model.layers.0.mlp.switch_mlp.up_proj", "switch_linear"],
    ["model.layers.0.mlp.down_proj", "quantized"],
  ]);
});

test("bad plan inputs name the value and what is allowed", () => {
  assertCortexThrows(() => planQuantization(llama(1), { bits: 7 }), "FMT_UNSUPPORTED", "bits 7", "2, 3, 4, 5, 6, 8");
  assertCortexThrows(() => planQuantization(llama(1), { groupSize: 16 }), "FMT_UNSUPPORTED", "group size 16", "32, 64, 128");
  assertCortexThrows(() => planQuantization(llama(1), { predicate: () => ({ group_size: 64, bits: 4, mode: "mxfp4" as "affine" }) }), "FMT_UNSUPPORTED", "model.embed_tokens", "mxfp4");
  assertCortexThrows(
    () => planQuantization([{ path: "w", kind: "linear", weightShape: [8, 192] }], { predicate: () => ({ group_size: 128, bits: 4, mode: "affine" }) }),
    "REQ_INVALID_ARGUMENT",
    "w:",
    "192",
    "group size 128",
  );
  assertCortexThrows(
    () => planQuantization([{ path: "model.layers.0.attn.c_proj", kind: "linear", weightShape: [64, 64] }], { recipe: "mixed_4_6" }),
    "CONV_UNSUPPORTED_ARCH",
    "mixed_4_6",
    "down_proj",
  );
  assertCortexThrows(
    () =>
      planQuantization(
        [
          { path: "model.layers.0.mlp.down_proj", kind: "linear", weightShape: [64, 64] },
          { path: "model.vision.proj", kind: "linear", weightShape: [64, 64] },
        ],
        { recipe: "mixed_2_6" },
      ),
    "CONV_UNSUPPORTED_ARCH",
    "model.vision.proj",
    '"proj"',
  );
  assertCortexThrows(() => parseMixedRecipe("mixed_5_8"), "REQ_INVALID_ARGUMENT", "mixed_5_8", "mixed_2_6, mixed_3_4, mixed_3_6, mixed_4_6");
});

test("size recipe: widest bits that fit in 80 % of the budget; maximum forces 4-bit", () => {
  const GiB = 2 ** 30;
  assert.equal(estimateQuantizedBytes(8e9, 4, 64), 4.5e9); // 4 + 32/64 bits per weight
  assert.equal(estimateQuantizedBytes(1e9, 4, 64, "float32"), 1e9 * 5 / 8);
  const big = recipeByModelSize({ parameterCount: 8e9, memoryBudgetBytes: 16 * GiB });
  assert.deepEqual([big.bits, big.fits], [8, true]); // 8.5e9 B ≤ 12.8 GiB
  const mid = recipeByModelSize({ parameterCount: 8e9, memoryBudgetBytes: 8 * GiB });
  assert.deepEqual([mid.bits, mid.fits], [6, true]); // 8-bit 8.5e9 > 6.87e9; 6-bit 6.5e9 fits
  const small = recipeByModelSize({ parameterCount: 8e9, memoryBudgetBytes: 6 * GiB });
  assert.deepEqual([small.bits, small.fits], [4, true]); // usable 5.15e9: 5-bit 5.5e9 no, 4-bit 4.5e9 yes
  const tight = recipeByModelSize({ parameterCount: 8e9, memoryBudgetBytes: 5 * GiB });
  assert.deepEqual([tight.bits, tight.fits], [3, true]); // usable 4.29e9: 4-bit no, 3-bit 3.5e9 yes
  const max = recipeByModelSize({ parameterCount: 8e9, memoryBudgetBytes: 64 * GiB, gpuOptimizationLevel: "Maximum" });
  assert.deepEqual([max.bits, max.fits], [4, true]);
  assert.match(max.reason, /maximum forces 4-bit/);
  const none = recipeByModelSize({ parameterCount: 70e9, memoryBudgetBytes: 8 * GiB });
  assert.deepEqual([none.bits, none.fits], [2, false]);
  const maxTooBig = recipeByModelSize({ parameterCount: 70e9, memoryBudgetBytes: 8 * GiB, gpuOptimizationLevel: "maximum" });
  assert.deepEqual([maxTooBig.bits, maxTooBig.fits], [4, false]);
});

test("size recipe rejects bad inputs", () => {
  assertCortexThrows(() => recipeByModelSize({ parameterCount: 0, memoryBudgetBytes: 1 }), "REQ_INVALID_ARGUMENT", "parameterCount", "0");
  assertCortexThrows(() => recipeByModelSize({ parameterCount: 1e9, memoryBudgetBytes: -5 }), "REQ_INVALID_ARGUMENT", "memoryBudgetBytes", "-5");
  assertCortexThrows(() => recipeByModelSize({ parameterCount: 1e9, memoryBudgetBytes: 1e10, groupSize: 100 }), "FMT_UNSUPPORTED", "group size 100");
  assertCortexThrows(() => recipeByModelSize({ parameterCount: 1e9, memoryBudgetBytes: 1e10, headroom: 1 }), "REQ_INVALID_ARGUMENT", "headroom", "1");
});

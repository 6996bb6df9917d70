import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { readTensorBytes, tensorBytesToFloat32 } from "../../src/formats/safetensors/read-tensor-data.js";
import { affineDequantize, affineQuantize } from "../../src/mlx/affine-quantize.js";
import { convertToMlx } from "../../src/mlx/convert-to-mlx.js";
import { fuseLora } from "../../src/mlx/fuse-lora.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../helpers/temp-dir.js";
import { assertCortexRejects } from "./helpers.js";
import { fused, H, Q, R, V, writeMlxAdapter, writePeftAdapter } from "./lora-fixture.js";

async function tensor(dir: string, name: string): Promise<{ dtype: string; data: Buffer }> {
  const file = path.join(dir, "model.safetensors");
  const h = await readSafetensorsHeader(file);
  const info = h.byName.get(name);
  if (!info) throw new Error(`no ${name}`);
  return { dtype: info.dtype, data: await readTensorBytes(file, info) };
}

test("MLX and PEFT adapters fuse into a float base: W + scale·B·A in bf16, other tensors untouched, marker written", async (t) => {
  const dir = tempDir(t);
  const pool = QuantizePool.create({ threads: 2 });
  t.after(() => pool.close());
  const fx = await makeHfCheckpoint(path.join(dir, "base"), { numLayers: 2 });
  await writeMlxAdapter(path.join(dir, "mlx-ad"), 2.5);
  await writePeftAdapter(path.join(dir, "peft-ad"), 8); // scale = 8 / 4 = 2
  const a = await fuseLora(fx.dir, path.join(dir, "mlx-ad"), path.join(dir, "fa"), { pool, baseRef: "base", adapterRef: "mlx-ad" });
  const b = await fuseLora(fx.dir, path.join(dir, "peft-ad"), path.join(dir, "fb"), { pool });
  assert.equal(a.adapter.kind, "mlx");
  assert.equal(b.adapter.kind, "peft");
  assert.equal(b.adapter.scale, 2);
  for (const [out, scale] of [[a.path, 2.5], [b.path, 2]] as const) {
    for (const name of [Q, V] as const) {
      const got = await tensor(out, `${name}.weight`);
      assert.equal(got.dtype, "BF16");
      assert.deepEqual(tensorBytesToFloat32(got.data, "BF16"), fused(fx.expectedFloat32(`${name}.weight`), name, scale), `${name} in ${out}`);
    }
    const k = await tensor(out, "model.layers.0.self_attn.k_proj.weight");
    assert.deepEqual(tensorBytesToFloat32(k.data, "BF16"), fx.expectedFloat32("model.layers.0.self_attn.k_proj.weight"));
  }
  const marker = JSON.parse(fs.readFileSync(path.join(a.path, "fine_tuned.marker"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(marker, { base_model: "base", adapter: "mlx-ad", rank: R, scale: 2.5, target_modules: ["self_attn.q_proj", "self_attn.v_proj"] });
});

test("fusing into a 4-bit MLX base dequantizes, fuses and re-quantizes with the base's parameters", async (t) => {
  const dir = tempDir(t);
  const pool = QuantizePool.create({ threads: 2 });
  t.after(() => pool.close());
  const fx = await makeHfCheckpoint(path.join(dir, "hf"), { numLayers: 2 });
  const q = await convertToMlx(fx.dir, () => path.join(dir, "q4"), { quantize: true, bits: 4, groupSize: 64, recipe: "mixed_4_6", pool });
  await writeMlxAdapter(path.join(dir, "ad"), 1.5);
  const r = await fuseLora(q.path, path.join(dir, "ad"), path.join(dir, "fused"), { pool });
  const config = JSON.parse(fs.readFileSync(path.join(r.path, "config.json"), "utf8")) as { quantization: Record<string, unknown> };
  assert.deepEqual(config.quantization, JSON.parse(fs.readFileSync(path.join(q.path, "config.json"), "utf8")).quantization, "same recipe");
  // v_proj of layer 1 is 6-bit under mixed_4_6 with L = 2: recompute base dequant → fuse → quantize.
  const rd = async (d: string, n: string) => tensor(d, n);
  const w = await rd(q.path, `${V}.weight`);
  const s = await rd(q.path, `${V}.scales`);
  const bi = await rd(q.path, `${V}.biases`);
  const deq = affineDequantize({ weight: new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.byteLength / 4), scales: tensorBytesToFloat32(s.data, "BF16"), biases: tensorBytesToFloat32(bi.data, "BF16"), rows: 128, cols: H, bits: 6, groupSize: 64 });
  const want = affineQuantize(fused(deq, V, 1.5), 128, H, { bits: 6, groupSize: 64, dtype: "bfloat16" });
  const got = await rd(r.path, `${V}.weight`);
  assert.deepEqual(new Uint32Array(got.data.buffer, got.data.byteOffset, got.data.byteLength / 4), want.weight);
  assert.deepEqual(tensorBytesToFloat32((await rd(r.path, `${V}.scales`)).data, "BF16"), want.scales);
  // An untouched quantized layer is bit-identical to the base.
  assert.ok((await rd(r.path, "model.layers.0.mlp.up_proj.weight")).data.equals((await rd(q.path, "model.layers.0.mlp.up_proj.weight")).data));
});

test("bad adapters: shape mismatch, missing module, DoRA, missing config → clear errors, no output", async (t) => {
  const dir = tempDir(t);
  const pool = QuantizePool.create({ threads: 1 });
  t.after(() => pool.close());
  const fx = await makeHfCheckpoint(path.join(dir, "base"), { numLayers: 1 });
  const out = path.join(dir, "out");
  await writeMlxAdapter(path.join(dir, "ad"), 1);
  await assertCortexRejects(fuseLora(fx.dir, path.join(dir, "ad"), out, { pool }), "CONV_SHAPE_MISMATCH", V);
  const small = await makeHfCheckpoint(path.join(dir, "small"), { numLayers: 2, hiddenSize: 128, numHeads: 2, numKvHeads: 1 });
  await assertCortexRejects(fuseLora(small.dir, path.join(dir, "ad"), out, { pool }), "CONV_SHAPE_MISMATCH", Q, "[256, 256]");
  fs.writeFileSync(path.join(dir, "ad", "adapter_config.json"), JSON.stringify({ fine_tune_type: "dora", lora_parameters: { rank: R, scale: 1 } }));
  await assertCortexRejects(fuseLora(fx.dir, path.join(dir, "ad"), out, { pool }), "FMT_UNSUPPORTED", "dora");
  fs.rmSync(path.join(dir, "ad", "adapter_config.json"));
  await assertCortexRejects(fuseLora(fx.dir, path.join(dir, "ad"), out, { pool }), "FMT_INVALID", "adapter_config.json");
  assert.ok(!fs.existsSync(out));
});

/**
 * Issue #15 (4): `cortex ls` and LoadModel give one memory estimate for the same model at the same context, from one
 * function: a GGUF, a SafeTensors checkpoint and an MLX 4-bit model (both converted on load), listed then loaded
 * with the defaults through a real daemon.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { convertToMlx } from "../../src/mlx/convert-to-mlx.js";
import { QuantizePool } from "../../src/mlx/quantize-pool.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { call } from "./inference-client.js";

test("ls and LoadModel (default settings) report the same estimate: a GGUF, a SafeTensors checkpoint, an MLX 4-bit model; configured defaults reach both", { skip: tinyModelsUnavailable() }, async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
  await makeHfCheckpoint(path.join(home, "models", "ckpt"), { hiddenSize: 256, intermediateSize: 512, numLayers: 2, numHeads: 4, numKvHeads: 2, vocabSize: 300, dtype: "f32", seed: 3 });
  const hf = await makeHfCheckpoint(path.join(dir, "hf"), { hiddenSize: 256, intermediateSize: 512, numLayers: 2, vocabSize: 300, dtype: "bf16", seed: 11 });
  const pool = QuantizePool.create({ threads: 1 });
  try {
    const r = await convertToMlx(hf.dir, () => path.join(home, "mlx_models", "tiny-4bit"), { quantize: true, bits: 4, groupSize: 64, recipe: "", pool });
    assert.equal(r.status, "converted");
  } finally {
    await pool.close();
  }
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" }, timeoutMs: 60_000 });

  const { models } = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
  const ls = await runCli(["--home", home, "ls", "--json"]);
  assert.equal(ls.code, 0, ls.stderr);
  const cliModels = (JSON.parse(ls.stdout) as { models: { name: string; estimated_memory_bytes: number | string }[] }).models;
  for (const name of ["tiny", "ckpt", "tiny-4bit"]) {
    const listed = models.find((m) => m.name === name);
    assert.ok(listed, `${name} is listed: ${models.map((m) => m.name).join(", ")}`);
    assert.ok(listed.estimated_memory_bytes > 0, `${name}: an estimate`);
    assert.equal(Number(cliModels.find((m) => m.name === name)?.estimated_memory_bytes), Number(listed.estimated_memory_bytes), `${name}: ls --json says what ListModels says`);
    const loaded = await call(d.client, "LoadModel", { model: name });
    const m = loaded.model!;
    assert.equal(m.context_size, Math.min(4096, listed.context_length), `${name}: the default context is the one ls assumes`);
    assert.equal(Number(m.estimated_memory_bytes), Number(listed.estimated_memory_bytes), `${name}: LoadModel's estimate (${m.variant}) is ls's`);
    assert.equal(m.parallel, 4);
    await call(d.client, "UnloadModel", { model: name });
  }
  await d.stop();

  // The defaults come from the config (contextSize, parallel), read at boot and handed to both.
  const d2 = await startDaemon(home, { env: { CORTEX_THREADS: "1", CORTEX_CONTEXT_SIZE: "512", CORTEX_PARALLEL: "2" } });
  t.after(() => d2.stop());
  const tiny = (await d2.client.unary("cortex.v1.ModelService", "ListModels", {})).models.find((m) => m.name === "tiny")!;
  assert.ok(Number(tiny.estimated_memory_bytes) < Number(models.find((m) => m.name === "tiny")!.estimated_memory_bytes), "a smaller context, a smaller estimate");
  const m = (await call(d2.client, "LoadModel", { model: "tiny" })).model!;
  assert.deepEqual([m.context_size, m.parallel, Number(m.estimated_memory_bytes)], [512, 2, Number(tiny.estimated_memory_bytes)]);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { MALFORMED_GGUF } from "../fixtures/make-gguf.js";
import { MALFORMED_SAFETENSORS, rawSafetensors } from "../fixtures/make-bad-safetensors.js";
import { llamaConfig, makeTinyGguf, TINY } from "../fixtures/make-model-zoo.js";
import { ModelStore } from "../../src/store/model-store.js";
import { newStore, storeRoots } from "./helpers.js";

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-");

test("every malformed safetensors and GGUF is listed BROKEN with its precise reason; good models beside them are fine; no large allocation", async (t) => {
  const r = storeRoots(t);
  for (const [name, c] of Object.entries(MALFORMED_SAFETENSORS)) {
    const dir = path.join(r.models, `st-${slug(name)}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(llamaConfig(TINY)));
    fs.writeFileSync(path.join(dir, "model.safetensors"), c.bytes());
  }
  for (const [name, c] of Object.entries(MALFORMED_GGUF)) fs.writeFileSync(path.join(r.quantizedModels, `gg-${slug(name)}.gguf`), await c.bytes());
  // A sharded checkpoint whose index names a shard that is not there, and one whose shard holds unmapped tensors.
  const idx = path.join(r.models, "st-index-missing-shard");
  fs.mkdirSync(idx);
  fs.writeFileSync(path.join(idx, "model.safetensors.index.json"), JSON.stringify({ weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" } }));
  fs.writeFileSync(path.join(idx, "model-00001-of-00002.safetensors"), rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4));
  await makeTinyGguf(path.join(r.quantizedModels, "good.gguf"));

  const before = process.memoryUsage().rss;
  const { models } = await newStore(r).list();
  const grown = process.memoryUsage().rss - before;
  assert.ok(grown < 96 * 1024 * 1024, `listing malformed files grew RSS by ${grown} bytes`);

  for (const [name, c] of Object.entries(MALFORMED_SAFETENSORS)) {
    const m = models.find((x) => x.name === `st-${slug(name)}`);
    assert.ok(m, `st-${slug(name)} listed`);
    assert.match(m.facts.brokenReason ?? "", c.message, name);
    assert.ok(m.facts.brokenReason!.includes(path.join(r.models, `st-${slug(name)}`, "model.safetensors")), `${name}: reason names the file: ${m.facts.brokenReason}`);
    assert.equal(m.facts.format, "SAFETENSORS");
    assert.equal(m.estimatedMemoryBytes, 0);
  }
  for (const [name, c] of Object.entries(MALFORMED_GGUF)) {
    const m = models.find((x) => x.name === `gg-${slug(name)}`);
    assert.ok(m, `gg-${slug(name)} listed`);
    assert.match(m.facts.brokenReason ?? "", c.message, name);
    assert.ok(m.facts.brokenReason!.includes(`gg-${slug(name)}.gguf`), `${name}: reason names the file`);
  }
  assert.match(models.find((x) => x.name === "st-index-missing-shard")!.facts.brokenReason ?? "", /maps 1 tensor\(s\) to shard "model-00002-of-00002\.safetensors", which does not exist/);
  const good = models.find((x) => x.name === "good")!;
  assert.equal(good.facts.brokenReason, undefined);
  assert.equal(good.facts.quantization, "Q4_K_M");
});

for (const watch of [true, false]) {
  test(`the header cache follows the files (${watch ? "watching" : "walking"}): rewritten, replaced, nested, truncated, deleted`, async (t) => {
    const r = storeRoots(t);
    const file = path.join(r.quantizedModels, "m.gguf");
    await makeTinyGguf(file, 15);
    const store = new ModelStore({ roots: r, watch });
    t.after(() => store.close());
    const q = async (name = "m") => (await store.list()).models.find((m) => m.name === name);
    assert.equal((await q())!.facts.quantization, "Q4_K_M");
    assert.equal((await q())!.facts.quantization, "Q4_K_M", "warm");
    await makeTinyGguf(file, 7); // replaced by rename: same size, new inode
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(file, past, past);
    assert.equal((await q())!.facts.quantization, "Q8_0");
    fs.writeFileSync(file, await MALFORMED_GGUF["bad magic"]!.bytes()); // rewritten in place
    assert.match((await q())!.facts.brokenReason ?? "", /not a GGUF file/);
    await makeTinyGguf(file, 1);
    assert.equal((await q())!.facts.quantization, "FP16");
    // a new folder with a model in it, right after a listing
    const nested = path.join(r.quantizedModels, "new", "deeper", "n.gguf");
    await makeTinyGguf(nested, 18);
    assert.equal((await q("new/deeper/n"))?.facts.quantization, "Q6_K");
    fs.truncateSync(nested, fs.statSync(nested).size - 64);
    assert.match((await q("new/deeper/n"))?.facts.brokenReason ?? "", /extends beyond the file size/);
    fs.rmSync(file);
    assert.equal(await q(), undefined);
    fs.rmSync(path.join(r.quantizedModels, "new"), { recursive: true });
    assert.deepEqual((await store.list()).models, []);
  });
}

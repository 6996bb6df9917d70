/**
 * #20 item 16: a pull in progress was listed BROKEN ("shard does not exist") and ConvertModel accepted it as a
 * source. A snapshot that a running pull is writing is listed as `downloading` and refused as a job source.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { cacheRepoDir, commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

test("a snapshot a pull is writing is listed downloading (not broken) and refused as a job source with FAILED_PRECONDITION", async (t) => {
  const dir = tempDir(t);
  const ckpt = await makeHfCheckpoint(path.join(dir, "ckpt"), { numLayers: 1, hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1, vocabSize: 300, dtype: "bf16" });
  const files: Record<string, Uint8Array> = {};
  for (const f of fs.readdirSync(ckpt.dir)) if (f !== "model.safetensors") files[f] = fs.readFileSync(path.join(ckpt.dir, f));
  // Two shards in the index; the second is still being fetched.
  files["model-00001-of-00002.safetensors"] = fs.readFileSync(path.join(ckpt.dir, "model.safetensors"));
  const weightMap = Object.fromEntries(ckpt.tensors.map((x, i) => [x.name, i === 0 ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors"]));
  files["model.safetensors.index.json"] = Buffer.from(JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const hub = path.join(dir, "hf");
  const commit = commitOf("pulling");
  makeHfCache(hub, [{ repo: "org/pulling", revisions: [{ commit, refs: ["main"], files }] }]);
  fs.writeFileSync(path.join(cacheRepoDir(hub, "org/pulling"), "blobs", `${"e".repeat(64)}.cortexd.incomplete`), "partial");

  const d = await startDaemon(path.join(dir, "h"), { env: { HF_HUB_CACHE: hub } });
  t.after(() => d.stop());
  const models = (await d.client.unary("cortex.v1.ModelService", "ListModels", { name_glob: "org/pulling*" })).models;
  const m = models.find((x) => x.name === "org/pulling");
  assert.ok(m, JSON.stringify(models.map((x) => x.name)));
  assert.equal(m.downloading, true, JSON.stringify(m));
  assert.equal(m.broken, false, m.broken_reason);
  await assert.rejects(
    d.client.unary("cortex.v1.JobService", "ConvertModel", { source: "org/pulling", target: "TARGET_FORMAT_GGUF", outtype: "f16" }),
    (e: Error & { grpcCode?: number }) => e.grpcCode === grpc.status.FAILED_PRECONDITION && /still downloading/.test(e.message),
  );
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { modelStem } from "../../src/jobs/output-names.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { llamaCppSource, makeLlamaGguf } from "./helpers.js";

interface Job { state: string; error_code: string; error_message: string; result_json: string }

test("output names drop the input's type suffix", () => {
  assert.equal(modelStem("/m/llama-3-8b-F16.gguf"), "llama-3-8b");
  assert.equal(modelStem("tiny.Q8_0.gguf"), "tiny");
  assert.equal(modelStem("qwen2-0.5b-instruct-q4_k_m.gguf"), "qwen2-0.5b-instruct");
  assert.equal(modelStem("big-00001-of-00003.gguf"), "big");
});

test("QuantizeModel through the daemon: a worker process writes quantized_models/<name>-Q8_0.gguf and its manifest", async (t) => {
  const source = llamaCppSource();
  if ("skip" in source) return t.skip(source.skip);
  const dir = tempDir(t);
  const src = makeLlamaGguf(source.src, path.join(dir, "in.gguf"), { hidden: 256, ff: 512, layers: 2, dtype: "f16" });
  const home = path.join(dir, "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  fs.copyFileSync(src, path.join(home, "models", "tiny-F16.gguf"));
  const { job_id } = await d.client.unary("cortex.v1.JobService", "QuantizeModel", { model: "tiny-F16", type: "Q8_0" });
  let job: Job;
  for (let i = 0; ; i++) {
    job = await d.client.unary("cortex.v1.JobService", "GetJob", { job_id });
    if (["JOB_STATE_COMPLETED", "JOB_STATE_FAILED"].includes(job.state)) break;
    if (i > 600) throw new Error("quantize job did not finish");
    await sleep(100);
  }
  assert.equal(job.state, "JOB_STATE_COMPLETED", `${job.error_code}: ${job.error_message}`);
  const out = path.join(home, "quantized_models", "tiny-Q8_0.gguf");
  const result = JSON.parse(job.result_json) as { path: string; sha256: string; model_id: string };
  assert.equal(result.path, out);
  assert.match(result.sha256, /^[0-9a-f]{64}$/);
  const h = await readGgufHeader(out);
  assert.equal(Number((h.kv.get("general.file_type") as { value: number | bigint }).value), 7, "LLAMA_FTYPE_MOSTLY_Q8_0");
  assert.equal(fs.readdirSync(path.join(home, "quantized_models")).filter((f) => f.includes("tmp")).length, 0);
  const manifests = fs.readdirSync(path.join(home, "manifests")).map((f) => JSON.parse(fs.readFileSync(path.join(home, "manifests", f), "utf8")));
  const m = manifests.find((x) => x.provenance?.convertedFrom?.some((s: { kind: string }) => s.kind === "quantize"));
  assert.ok(m, "a manifest records the quantize step");
  assert.equal(m.provenance.convertedFrom.at(-1).recipe.type, "Q8_0");
  assert.ok(m.provenance.convertedFrom.at(-1).toolVersions["llama.cpp"]);
});

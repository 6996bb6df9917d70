import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { FINAL_STATES, waitFinal } from "../helpers/jobs.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/cli/client.js";
import { readGgufHeader } from "../../src/formats/gguf/read-gguf-header.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { LoopbackHub } from "../hub/loopback-hub.js";


const convert = (client: CortexClient, source: string, outtype: string) =>
  client.unary("cortex.v1.JobService", "ConvertModel", { source, target: "TARGET_FORMAT_GGUF", outtype });

const manifestsOf = (home: string) =>
  fs.existsSync(path.join(home, "manifests")) ? fs.readdirSync(path.join(home, "manifests")).map((x) => JSON.parse(fs.readFileSync(path.join(home, "manifests", x), "utf8"))) : [];

/** Every file under the output folders: nothing half-written may be left there. */
const outputs = (home: string) => ["models", "quantized_models"].flatMap((d) => (fs.existsSync(path.join(home, d)) ? fs.readdirSync(path.join(home, d)).map((f) => `${d}/${f}`) : []));

test("ConvertModel through the daemon: safetensors → Q4_K_M in one pass, and to F16, with manifests", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  await makeHfCheckpoint(path.join(home, "models", "tiny-llama"), { hiddenSize: 256, intermediateSize: 512, numLayers: 2, dtype: "bf16" });
  const q = await waitFinal(d.client, (await convert(d.client, "tiny-llama", "Q4_K_M")).job_id);
  assert.equal(q.state, "JOB_STATE_COMPLETED", `${q.error_code}: ${q.error_message}`);
  const out = JSON.parse(q.result_json) as { path: string; outtype: string; sha256: string };
  assert.equal(out.path, path.join(home, "quantized_models", "tiny-llama-Q4_K_M.gguf"));
  const h = await readGgufHeader(out.path);
  assert.equal(Number((h.kv.get("general.file_type") as { value: number }).value), 15, "LLAMA_FTYPE_MOSTLY_Q4_K_M");
  assert.equal(h.architecture, "llama");
  const f = await waitFinal(d.client, (await convert(d.client, "tiny-llama", "f16")).job_id);
  assert.equal(f.state, "JOB_STATE_COMPLETED", `${f.error_code}: ${f.error_message}`);
  assert.ok(fs.existsSync(path.join(home, "models", "tiny-llama-F16.gguf")));
  const manifests = manifestsOf(home);
  const qm = manifests.find((m) => m.provenance?.convertedFrom?.at(-1)?.recipe?.outtype === "Q4_K_M");
  assert.ok(qm, "the Q4_K_M output has a manifest with its recipe");
  assert.ok(JSON.stringify(qm).includes(out.sha256), "the manifest records the output's sha256");
  // The store lists the outputs as GGUF models with their quantization.
  const ls = await d.client.unary("cortex.v1.ModelService", "ListModels", { formats: ["MODEL_FORMAT_GGUF"] });
  assert.deepEqual(ls.models.map((m) => m.quantization).sort(), ["QUANTIZATION_FP16", "QUANTIZATION_Q4_K_M"]);
});

test("conversion errors through the daemon are typed (refused at submit, or job failures) and leave nothing behind", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const models = path.join(home, "models");
  await makeHfCheckpoint(path.join(models, "foo"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1 });
  const cfgPath = path.join(models, "foo", "config.json");
  fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, "utf8")), architectures: ["FooForCausalLM"] }));
  await makeHfCheckpoint(path.join(models, "notok"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1 });
  fs.rmSync(path.join(models, "notok", "tokenizer.json"));
  const before = outputs(home);

  // A conversion that cannot succeed is refused when submitted (UNIMPLEMENTED / CONV_UNSUPPORTED_ARCH), not queued.
  await assert.rejects(convert(d.client, "foo", "q8_0"), (e: Error & { grpcCode?: number }) => {
    assert.equal(e.grpcCode, 12, e.message);
    assert.match(e.message, /CONV_UNSUPPORTED_ARCH|FooForCausalLM/);
    assert.match(e.message, /FooForCausalLM.*LlamaForCausalLM/, "names it and the supported list");
    return true;
  });
  assert.equal((await d.client.unary("cortex.v1.JobService", "ListJobs", {})).jobs.length, 0, "no job was queued");
  const tok = await waitFinal(d.client, (await convert(d.client, "notok", "Q4_K_M")).job_id);
  assert.equal(tok.state, "JOB_STATE_FAILED");
  assert.equal(tok.error_code, "CONV_MISSING_TOKENIZER");
  assert.deepEqual(outputs(home), before, "no output, no staging file");
  // Through the CLI, the same error reaches the user on stderr with a non-zero exit.
  const cli = await runCli(["--home", home, "convert", "foo", "--to", "gguf", "--outtype", "f16"]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /UNIMPLEMENTED: .*architecture "FooForCausalLM" is not supported/);
});

test("cancelling a conversion stops it within 2 s, leaves no partial file, and is not retried", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  await makeHfCheckpoint(path.join(home, "models", "mid"), { hiddenSize: 1024, intermediateSize: 2816, numLayers: 8, numHeads: 8, numKvHeads: 4, dtype: "f16" });
  const before = outputs(home);
  const { job_id } = await convert(d.client, "mid", "Q4_K_M");
  for (let i = 0; ; i++) {
    const j = await d.client.unary("cortex.v1.JobService", "GetJob", { job_id });
    if (j.state === "JOB_STATE_ACTIVE" && Number(j.progress?.done ?? 0) >= 1) break;
    assert.ok(!FINAL_STATES.includes(String(j.state)), `finished before it could be cancelled: ${j.state}`);
    assert.ok(i < 600, "the conversion never started");
    await sleep(50);
  }
  const t0 = Date.now();
  await d.client.unary("cortex.v1.JobService", "CancelJob", { job_id, reason: "test" });
  const final = await waitFinal(d.client, job_id, 10_000);
  assert.equal(final.state, "JOB_STATE_CANCELLED");
  assert.ok(Date.now() - t0 < 2000, `cancel took ${Date.now() - t0} ms`);
  await sleep(300);
  assert.deepEqual(outputs(home), before, "no partial output");
  assert.equal((await d.client.unary("cortex.v1.JobService", "GetJob", { job_id })).state, "JOB_STATE_CANCELLED", "not retried");
});

test("a pull→convert→quantize flow from a (loopback) Hub produces the quantized model with its provenance", async (t) => {
  const dir = tempDir(t);
  const ckpt = await makeHfCheckpoint(path.join(dir, "src"), { hiddenSize: 256, intermediateSize: 512, numLayers: 2 });
  const files = Object.fromEntries(ckpt.files.map((f) => [f, { data: fs.readFileSync(path.join(ckpt.dir, f)), lfs: f.endsWith(".safetensors") }]));
  const hub = await LoopbackHub.start({ "org/tiny-llama": { files } });
  t.after(() => hub.close());
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hf"), HF_TOKEN: "" } });
  t.after(() => d.stop());
  const res = await d.client.unary("cortex.v1.JobService", "SubmitBatch", {
    flows: [{ pull: { repo: "org/tiny-llama" }, quantize_types: ["Q4_K_M", "Q8_0"] }],
  });
  const parent = await waitFinal(d.client, res.jobs[0]!.job_id);
  assert.equal(parent.state, "JOB_STATE_COMPLETED", `${parent.error_code}: ${parent.error_message}`);
  const commit = hub.commitOf("org/tiny-llama");
  for (const type of ["Q4_K_M", "Q8_0"]) {
    const file = path.join(home, "quantized_models", `tiny-llama-${type}.gguf`);
    assert.ok(fs.existsSync(file), `${file} exists`);
    const m = manifestsOf(home).find((x) => x.provenance?.convertedFrom?.at(-1)?.recipe?.outtype === type);
    assert.ok(m, `manifest for ${type}`);
    assert.equal(m.provenance.sourceRepo, "org/tiny-llama");
    assert.equal(m.provenance.revision, commit);
  }
  const jobs = await d.client.unary("cortex.v1.JobService", "ListJobs", {});
  assert.ok(jobs.jobs.every((j) => j.state === "JOB_STATE_COMPLETED"), JSON.stringify(jobs.jobs));
});

test("cortex batch --models GLOB --types: every full-precision model once, quantized and existing outputs skipped; cortex quantize", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  await makeHfCheckpoint(path.join(home, "models", "tiny-llama"), { hiddenSize: 256, intermediateSize: 512, numLayers: 1 });
  const f16 = await waitFinal(d.client, (await convert(d.client, "tiny-llama", "f16")).job_id);
  assert.equal(f16.state, "JOB_STATE_COMPLETED", f16.error_message);

  const batch = await runCli(["--home", home, "batch", "--models", "tiny*", "--types", "Q8_0", "Q4_K_M", "--wait"]);
  assert.equal(batch.code, 0, batch.stderr);
  // The checkpoint is converted in one pass per type; the F16 GGUF made from it would write the same files: skipped.
  assert.match(batch.stderr, /skipped tiny-llama-F16.*tiny-llama-Q8_0\.gguf is produced from another source/);
  assert.equal(batch.stdout.trim().split("\n").length, 1, `one job: ${batch.stdout}`);
  assert.match(batch.stdout, /convert .*completed/);
  for (const type of ["Q8_0", "Q4_K_M"]) assert.ok(fs.existsSync(path.join(home, "quantized_models", `tiny-llama-${type}.gguf`)), type);

  // Nothing left to do: a clear NOT_FOUND naming the glob and why each model was skipped.
  const again = await runCli(["--home", home, "batch", "--models", "tiny*", "--types", "Q8_0"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no model matching "tiny\*" can be quantized .*tiny-llama-Q8_0\.gguf exists already/);
  const bad = await runCli(["--home", home, "batch", "--models", "*", "--types", "Q9_9"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unsupported quantization type "Q9_9"/);

  const q = await runCli(["--home", home, "quantize", "tiny-llama-F16", "Q5_K_M"]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /done: .*tiny-llama-Q5_K_M\.gguf/);
  const h = await readGgufHeader(path.join(home, "quantized_models", "tiny-llama-Q5_K_M.gguf"));
  assert.equal(Number((h.kv.get("general.file_type") as { value: number }).value), 17, "LLAMA_FTYPE_MOSTLY_Q5_K_M");

  // Any name `cortex ls` shows works as a source: here a unique id prefix.
  const ls = await d.client.unary("cortex.v1.ModelService", "ListModels", { name_glob: "tiny-llama-F16*" });
  assert.equal(ls.models.length, 1, JSON.stringify(ls.models));
  const byId = await runCli(["--home", home, "quantize", ls.models[0]!.id.slice(0, 8), "Q4_0"]);
  assert.equal(byId.code, 0, byId.stderr);
  assert.ok(fs.existsSync(path.join(home, "quantized_models", "tiny-llama-Q4_0.gguf")));
  const none = await runCli(["--home", home, "quantize", "no-such-model", "Q4_0"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /model "no-such-model" not found/);
});

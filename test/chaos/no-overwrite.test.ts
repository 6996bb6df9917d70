/**
 * #20 item 1: GGUF outputs overwrote existing models (`quantize tiny-F16 Q4_0 --name big-Q6_K` replaced a 74 MiB
 * model by an 838 KiB one under the same id), and same-named sources (`orgA/X`, `orgB/X`, a folder `X`) all
 * defaulted to one output file. Every model-writing job refuses an existing output (REG_EXISTS) unless asked to
 * overwrite; default names are unique per source.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { jobSourceGguf, waitFinal } from "./helpers.js";

const sha = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");

test("QuantizeModel never replaces an existing model unless overwrite is set; default names differ per source", async (t) => {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(path.join(home, "models", "other"), { recursive: true });
  fs.mkdirSync(path.join(home, "quantized_models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "tiny-F16.gguf"));
  fs.copyFileSync(src.file, path.join(home, "models", "other", "tiny-F16.gguf"));
  const big = path.join(home, "quantized_models", "big-Q6_K.gguf");
  fs.copyFileSync(src.file, big);
  const bigSha = sha(big);
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const c = d.client;
  const quantize = async (model: string, extra: { output_name?: string; overwrite?: boolean } = {}) => {
    const h = await c.unary("cortex.v1.JobService", "QuantizeModel", { model, type: "Q4_0", threads: 1, output_name: "", ...extra });
    return waitFinal(c, h.job_id, 120_000);
  };

  const ggufs = (await c.unary("cortex.v1.ModelService", "ListModels", { name_glob: "*tiny-F16*" })).models;
  const [a, b] = [ggufs.find((m) => m.paths[0] === path.join(home, "models", "tiny-F16.gguf"))!, ggufs.find((m) => m.paths[0]!.includes(`${path.sep}other${path.sep}`))!];
  assert.ok(a && b, JSON.stringify(ggufs.map((m) => m.paths)));
  const refused = await quantize(a.id, { output_name: "big-Q6_K" });
  assert.equal(refused.state, "JOB_STATE_FAILED");
  assert.equal(refused.error_code, "REG_EXISTS", refused.error_message);
  assert.match(refused.error_message, /big-Q6_K\.gguf already exists.*overwrite/);
  assert.equal(refused.attempts_made, 1, "not retried");
  assert.equal(sha(big), bigSha, "the existing model is untouched");

  const replaced = await quantize(a.id, { output_name: "big-Q6_K", overwrite: true });
  assert.equal(replaced.state, "JOB_STATE_COMPLETED", replaced.error_message);
  assert.notEqual(sha(big), bigSha, "overwrite replaced it");

  const ja = await quantize(a.id);
  const jb = await quantize(b.id);
  assert.equal(ja.state, "JOB_STATE_COMPLETED", ja.error_message);
  assert.equal(jb.state, "JOB_STATE_COMPLETED", jb.error_message);
  const pa = JSON.parse(ja.result_json).path as string;
  const pb = JSON.parse(jb.result_json).path as string;
  assert.equal(path.basename(pa), "tiny-Q4_0.gguf");
  assert.notEqual(pa, pb, "two sources named alike get two outputs");
  assert.match(path.basename(pb), new RegExp(`^tiny-${b.id.slice(0, 8)}-Q4_0\\.gguf$`), "the second carries its source's id prefix");
  assert.ok(fs.existsSync(pa) && fs.existsSync(pb));

  const again = await quantize(a.id);
  assert.equal(again.state, "JOB_STATE_FAILED", "the same source's output exists: not a third copy");
  assert.equal(again.error_code, "REG_EXISTS", again.error_message);
});

test("overwrite never replaces a model the inference pool holds (REG_IN_USE at submit)", { skip: tinyModelsUnavailable() }, async (t) => {
  const home = path.join(tempDir(t), "h");
  const loaded = copyModel(tinyModel(), path.join(home, "quantized_models"), "busy-Q4_0.gguf");
  copyModel(tinyModel({ seed: 2 }), path.join(home, "models"), "other-F16.gguf");
  const before = sha(loaded);
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  await d.client.unary("cortex.v1.InferenceService", "LoadModel", { model: "busy-Q4_0" }, 120_000);
  await assert.rejects(
    d.client.unary("cortex.v1.JobService", "QuantizeModel", { model: "other-F16", type: "Q4_0", output_name: "busy-Q4_0", overwrite: true, threads: 1 }),
    (e: Error & { grpcCode?: number }) => e.grpcCode === grpc.status.FAILED_PRECONDITION && /busy-Q4_0 cannot be overwritten: loaded in the inference pool/.test(e.message),
  );
  assert.equal(sha(loaded), before);
});

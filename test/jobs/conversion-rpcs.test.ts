import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { MethodOf, RequestOf } from "../../src/grpc/client.js";
import * as grpc from "@grpc/grpc-js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

type CodeErr = Error & { grpcCode?: number };
const is = (code: number, re: RegExp) => (e: CodeErr) => {
  assert.equal(e.grpcCode, code, e.message);
  assert.match(e.message, re);
  return true;
};

test("ConvertModel, QuantizeModel, FuseAdapter and SubmitBatch reject bad input with a typed error naming the field", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: path.join(dir, "hf"), HF_ENDPOINT: "http://127.0.0.1:9" } });
  t.after(() => d.stop());
  fs.writeFileSync(path.join(home, "models", "tiny.gguf"), "GGUF");
  const call = <M extends MethodOf<"cortex.v1.JobService">>(method: M, req: RequestOf<"cortex.v1.JobService", M>) => d.client.unary("cortex.v1.JobService", method, req);
  const { INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED } = grpc.status;

  await assert.rejects(call("ConvertModel", { target: "TARGET_FORMAT_GGUF" }), is(INVALID_ARGUMENT, /source is required/));
  await assert.rejects(call("ConvertModel", { source: "org/absent", target: "TARGET_FORMAT_GGUF" }), is(NOT_FOUND, /org\/absent is not in the Hugging Face cache/));
  await assert.rejects(call("ConvertModel", { source: "/etc", target: "TARGET_FORMAT_GGUF" }), is(PERMISSION_DENIED, /\/etc is outside cortexd's roots/));
  await assert.rejects(call("ConvertModel", { source: "tiny", target: "TARGET_FORMAT_UNSPECIFIED" }), is(INVALID_ARGUMENT, /target is required/));
  await assert.rejects(call("ConvertModel", { source: "tiny", target: "TARGET_FORMAT_GGUF", outtype: "Q9_Z" }), is(INVALID_ARGUMENT, /outtype: unsupported quantization type "Q9_Z" \(supported: Q8_0, Q6_K/));
  await assert.rejects(call("ConvertModel", { source: "tiny", target: "TARGET_FORMAT_MLX", mlx: { bits: 7 } }), is(INVALID_ARGUMENT, /mlx\.bits: 7 is not one of 2, 3, 4, 5, 6, 8/));
  await assert.rejects(call("ConvertModel", { source: "tiny", target: "TARGET_FORMAT_MLX", mlx: { group_size: 48 } }), is(INVALID_ARGUMENT, /mlx\.group_size: 48/));
  await assert.rejects(call("ConvertModel", { source: "tiny", target: "TARGET_FORMAT_GGUF", output_name: "../escape" }), is(INVALID_ARGUMENT, /output_name "..\/escape"/));
  await assert.rejects(call("QuantizeModel", { model: "tiny", type: "Q4_K_X" }), is(INVALID_ARGUMENT, /type: unsupported quantization type "Q4_K_X"/));
  await assert.rejects(call("QuantizeModel", { model: "nope", type: "Q4_K_M" }), is(NOT_FOUND, /model "nope" not found/));
  await assert.rejects(call("FuseAdapter", { base: "tiny" }), is(INVALID_ARGUMENT, /adapter is required/));
  await assert.rejects(call("SubmitBatch", {}), is(INVALID_ARGUMENT, /nothing to submit/));
  await assert.rejects(call("SubmitBatch", { flows: [{ pull: { repo: "org/m" }, quantize_types: ["Q4_K_M", "bogus"] }] }), is(INVALID_ARGUMENT, /flows\[0\]\.quantize_types: unsupported quantization type "bogus"/));
  // tiny.gguf is BROKEN (4 bytes): nothing the glob matches can be quantized.
  await assert.rejects(call("SubmitBatch", { all_models_glob: "*", all_models_types: ["Q4_K_M"] }), is(NOT_FOUND, /no model matching "\*" can be quantized \(tiny: broken/));
  await assert.rejects(call("SubmitBatch", { all_models_glob: "*" }), is(INVALID_ARGUMENT, /all_models_types/));
  await assert.rejects(call("SubmitBatch", { all_models_types: ["Q8_0"] }), is(INVALID_ARGUMENT, /all_models_glob is required/));
  const none = await d.client.unary("cortex.v1.JobService", "ListJobs", {});
  assert.equal(none.jobs.length, 0, "nothing half-submitted");

  const ok = await d.client.unary("cortex.v1.JobService", "QuantizeModel", { model: "tiny", type: "q4_k_m" });
  assert.match(ok.job_id, /^quant-/);
  assert.equal(ok.job!.model, "tiny");
});

test("a pull→convert→quantize flow is one parent job whose children run first", async (t) => {
  const dir = tempDir(t);
  const d = await startDaemon(path.join(dir, "h"), { env: { HF_HUB_CACHE: path.join(dir, "hf"), HF_ENDPOINT: "http://127.0.0.1:9" } });
  t.after(() => d.stop());
  const res = await d.client.unary("cortex.v1.JobService", "SubmitBatch", {
    flows: [{ pull: { repo: "org/m", revision: "main" }, quantize_types: ["Q4_K_M", "Q8_0"] }],
  });
  assert.equal(res.jobs.length, 1);
  const parent = res.jobs[0]!;
  assert.match(parent.job_id, /^flow-/);
  assert.equal(parent.job!.type, "JOB_TYPE_FLOW");
  assert.equal(parent.job!.state, "JOB_STATE_WAITING_CHILDREN");
  const all = await d.client.unary("cortex.v1.JobService", "ListJobs", {});
  const types = all.jobs.map((j) => j.type).sort();
  assert.deepEqual(types, ["JOB_TYPE_CONVERT", "JOB_TYPE_FLOW", "JOB_TYPE_PULL"]);
  assert.ok(all.jobs.some((j) => j.type === "JOB_TYPE_CONVERT" && j.parent_job_id === parent.job_id));
});

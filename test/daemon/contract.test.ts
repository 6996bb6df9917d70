import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProto } from "grpc-health-check";
import protobuf from "protobufjs";
import { CortexClient as WireClient } from "../../src/grpc/client.js";
import { LOADER_OPTIONS, PROTO_FILES } from "../../src/grpc/proto.js";
import { ROOT, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * The contract as other languages see it: a client built straight from proto/ with protobufjs' lenient encoding
 * (an unknown enum number goes on the wire as is), rich error details in the grpc-status-details-bin trailer,
 * health without a token. What the CLI's own client refuses before sending is tested here against the daemon.
 */
const raw = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
const rich = new protobuf.Root();
rich.resolvePath = (_o, target) => (path.isAbsolute(target) ? target : path.join(ROOT, "proto", target));
rich.loadSync(["google/rpc/status.proto", "google/rpc/error_details.proto"], { keepCase: true });

type Unary = (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

function rawClient(address: string, service: string): grpc.Client & Record<string, Unary> {
  const Ctor = grpc.makeClientConstructor(raw[service] as grpc.ServiceDefinition, service);
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Unary>;
}

function call(client: grpc.Client & Record<string, Unary>, method: string, req: object, md = new grpc.Metadata()): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => client[method]!.call(client, req, md, (err, res) => (err ? reject(err) : resolve(res))));
}

interface Details {
  code: number;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  violations: { field: string; description: string }[];
}

/** google.rpc.Status from the trailer, its Any details unpacked. */
function details(err: grpc.ServiceError): Details {
  const bin = err.metadata.get("grpc-status-details-bin")[0];
  assert.ok(Buffer.isBuffer(bin), "a grpc-status-details-bin trailer");
  const Status = rich.lookupType("google.rpc.Status");
  const status = Status.toObject(Status.decode(bin), { defaults: true }) as { code: number; details: { type_url: string; value: Uint8Array }[] };
  const out: Details = { code: status.code, violations: [] };
  for (const d of status.details) {
    const type = rich.lookupType(d.type_url.replace("type.googleapis.com/", ""));
    const v = type.toObject(type.decode(d.value), { defaults: true });
    if (type.name === "ErrorInfo") Object.assign(out, { reason: v.reason, domain: v.domain, metadata: v.metadata });
    if (type.name === "BadRequest") out.violations.push(...(v.field_violations as Details["violations"]));
  }
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: grpc.status, check: (err: grpc.ServiceError, d: Details) => void): Promise<void> {
  const err = await p.then(
    () => assert.fail("expected the call to fail"),
    (e: grpc.ServiceError) => e,
  );
  assert.equal(err.code, code, err.details);
  check(err, details(err));
}

/** A daemon whose Hub is a closed port: pulls are accepted and retry in the background. */
async function daemonFor(t: Parameters<typeof tempDir>[0]): Promise<RunningDaemon> {
  const d = await startDaemon(path.join(tempDir(t), "h"), { env: { HF_ENDPOINT: "http://127.0.0.1:9" } });
  t.after(() => d.stop());
  return d;
}

test("PullModel and the worker share one repo-id rule (huggingface_hub's): org/name.git refused at once, org/_x and legacy gpt2 accepted", async (t) => {
  const d = await daemonFor(t);
  const jobs = rawClient(`unix://${d.socket}`, "cortex.v1.JobService");
  t.after(() => jobs.close());
  // Was accepted by PullModel and then failed in the worker's validator.
  await rejectsWith(call(jobs, "PullModel", { repo: "org/name.git" }), grpc.status.INVALID_ARGUMENT, (err, det) => {
    assert.match(err.details, /cannot end with '\.git'/);
    assert.equal(det.reason, "REQ_INVALID_ARGUMENT");
    assert.deepEqual(det.violations.map((v) => v.field), ["repo"]);
  });
  // Was refused by PullModel although huggingface_hub (and the worker) accept it.
  for (const repo of ["org/_x", "gpt2"]) {
    const h = await call(jobs, "PullModel", { repo });
    assert.match(String(h.job_id), /^pull-/, repo);
    assert.equal((h.job as { model: string }).model, repo);
  }
  await rejectsWith(call(jobs, "SubmitBatch", { flows: [{ pull: { repo: "a/b--c" } }] }), grpc.status.INVALID_ARGUMENT, (_err, det) => assert.deepEqual(det.violations.map((v) => v.field), ["flows[0].pull.repo"]));
});

test("unknown enum values and UNSPECIFIED where a value is required are INVALID_ARGUMENT on every RPC, naming the field", async (t) => {
  const d = await daemonFor(t);
  const models = rawClient(`unix://${d.socket}`, "cortex.v1.ModelService");
  const jobs = rawClient(`unix://${d.socket}`, "cortex.v1.JobService");
  t.after(() => (models.close(), jobs.close()));
  const invalid = (p: Promise<unknown>, field: string, text: RegExp) =>
    rejectsWith(p, grpc.status.INVALID_ARGUMENT, (err, det) => {
      assert.match(err.details, text);
      assert.deepEqual(det.violations.map((v) => v.field), [field]);
    });
  await invalid(call(models, "ListModels", { quantizations: [99] }), "quantizations[0]", /quantizations\[0\]: 99 is not a Quantization; accepted: QUANTIZATION_NONE/);
  await invalid(call(models, "ListModels", { formats: ["MODEL_FORMAT_GGUF", "MODEL_FORMAT_UNSPECIFIED"] }), "formats[1]", /formats\[1\]: MODEL_FORMAT_UNSPECIFIED means no value/);
  // The data-loss path: protobufjs encodes an unknown name as 0; a filter of UNSPECIFIED now selects nothing but an error.
  await invalid(call(models, "PreviewClean", { quantizations: ["QUANTIZATION_4BIT"] }), "quantizations[0]", /QUANTIZATION_UNSPECIFIED means no value/);
  await invalid(call(models, "ApplyClean", { formats: [42] }), "formats[0]", /42 is not a ModelFormat/);
  await invalid(call(jobs, "ListJobs", { states: [99] }), "states[0]", /99 is not a JobState/);
  await invalid(call(jobs, "ConvertModel", { source: "org/x", target: 7 }), "target", /target: 7 is not a TargetFormat/);
  await invalid(call(jobs, "ConvertModel", { source: "org/x" }), "target", /target is required/);
  // The typed client refuses before sending, naming the field.
  await assert.rejects(d.client.unary("cortex.v1.ModelService", "PreviewClean", { quantizations: ["QUANTIZATION_4BIT" as never] }), /quantizations\[0\]: "QUANTIZATION_4BIT" is not a Quantization/);
});

test("errors carry google.rpc.Status details (ErrorInfo with the cortex code, BadRequest) beside the cortex-error-code trailer, auth failures too; health answers on TCP without a token", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"] });
  t.after(() => d.stop());
  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const token = fs.readFileSync(path.join(home, "token"), "utf8").trim();

  const models = rawClient(address, "cortex.v1.ModelService");
  t.after(() => models.close());
  const auth = new grpc.Metadata();
  auth.set("authorization", `Bearer ${token}`);
  await rejectsWith(call(models, "GetModel", { id: "no-such-model" }, auth), grpc.status.NOT_FOUND, (err, det) => {
    assert.deepEqual(err.metadata.get("cortex-error-code"), ["REG_NOT_FOUND"]);
    assert.equal(det.code, grpc.status.NOT_FOUND);
    assert.equal(det.reason, "REG_NOT_FOUND");
    assert.equal(det.domain, "cortexd");
    assert.deepEqual(det.metadata, { retryable: "false" });
    assert.deepEqual(det.violations, []);
  });
  await rejectsWith(call(models, "GetStatus", {}), grpc.status.UNAUTHENTICATED, (err, det) => {
    assert.match(err.details, /missing bearer token/);
    assert.equal(det.reason, "REQ_UNAUTHENTICATED");
    assert.equal(det.domain, "cortexd");
  });

  const healthDef = protoLoader.loadSync(healthProto, { keepCase: true, enums: String });
  const Health = grpc.makeClientConstructor(healthDef["grpc.health.v1.Health"] as grpc.ServiceDefinition, "Health");
  const health = new Health(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Unary>;
  t.after(() => health.close());
  assert.deepEqual(await call(health, "Check", { service: "" }), { status: "SERVING" });
  assert.deepEqual(await call(health, "Check", { service: "cortex.v1.ModelService" }), { status: "SERVING" });

  // The typed wire client against TCP with the token works as the CLI's does.
  const typed = new WireClient({ address, token });
  t.after(() => typed.close());
  assert.equal((await typed.unary("cortex.v1.ModelService", "GetStatus", {})).pid, d.proc.pid);
});

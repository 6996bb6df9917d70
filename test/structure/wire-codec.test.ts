import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import protobuf from "protobufjs";
import descriptor from "../../src/grpc/generated/descriptor.json" with { type: "json" };
import { ContractError, decode, encode, WireCodec, type DescriptorNamespace } from "../../src/grpc/wire-codec.js";
import { ROOT } from "../helpers/daemon.js";

/** The reference: protobufjs parsing proto/ with the daemon's loader options (what proto-loader does). */
const root = new protobuf.Root();
root.resolvePath = (_o, target) => (path.isAbsolute(target) ? target : path.join(ROOT, "proto", target));
root.loadSync(["cortex/v1/models.proto", "cortex/v1/jobs.proto", "cortex/v1/inference.proto"], { keepCase: true });
const OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };
const codec = new WireCodec((descriptor as DescriptorNamespace).nested!.cortex!.nested!.v1!);

const SAMPLES: [string, Record<string, unknown>][] = [
  ["GetStatusResponse", { version: "0.1.0", uptime_seconds: 12.5, pid: 42, redis: { mode: "embedded", healthy: true, restarts: 3 }, queues: [{ queue: "downloads", waiting: 2, completed: 2 ** 40 }], listeners: ["unix:///x", "127.0.0.1:5"] }],
  ["ListModelsResponse", { models: [{ id: "ab12", name: "org/x", paths: ["/a", "/b"], format: "MODEL_FORMAT_GGUF", quantization: "QUANTIZATION_Q4_K_M", mlx_quantization: { bits: 4, group_size: 64, mode: "affine" }, parameter_count: 8_030_261_248, tags: ["t"], files: [{ path: "/a", size_bytes: 5, sha256: "00" }] }], total: 1, next_page_token: "" }],
  ["ListModelsRequest", { formats: ["MODEL_FORMAT_MLX", "MODEL_FORMAT_GGUF"], quantizations: ["QUANTIZATION_FP16"], name_glob: "l*", page_size: 1000 }],
  ["LoadModelRequest", { model: "m", options: { context_size: 2048, gpu_layers: 0, ttl_seconds: -1, pin: true } }],
  ["GenerateRequest", { model: "m", prompt: "hi", sampling: { temperature: 0, top_k: 40, seed: 0, max_tokens: 8, stop: ["\n"] } }],
  ["SubmitBatchRequest", { items: [{ pull: { repo: "org/x", revision: "main" } }, { quantize: { model: "m", type: "Q4_K_M", threads: 2 } }], flows: [{ pull: { repo: "o/n" }, quantize_types: ["Q8_0"] }] }],
  ["EmbedResponse", { embeddings: [{ values: [0.5, -1.25, 3] }, { values: [] }], prompt_tokens: 7, load_ms: 1.5 }],
  ["Job", { id: "pull-1", type: "JOB_TYPE_PULL", state: "JOB_STATE_ACTIVE", progress: { phase: "downloading", done: 10, total: 20, rate_per_second: 3.25, eta_seconds: 1.5 }, attempts_made: 1, child_job_ids: ["a"] }],
  ["ListJobsRequest", { states: ["JOB_STATE_FAILED", "JOB_STATE_QUEUED"], types: [], limit: 5 }],
  ["LoadedModel", { model: "m", gpu_layers: -1, ttl_seconds: -1, memory_bytes: 123456789012 }],
];

test("the client codec encodes what protobufjs decodes to the same message, and decodes as proto-loader's options do", () => {
  for (const [name, value] of SAMPLES) {
    const ref = root.lookupType(`cortex.v1.${name}`);
    const ours = encode(codec.message(name), value);
    const theirs = ref.encode(ref.fromObject(value)).finish();
    const expected = ref.toObject(ref.decode(theirs), OPTIONS);
    // protobufjs also writes fields given with their default value; proto3 readers see no difference.
    assert.deepEqual(ref.toObject(ref.decode(ours), OPTIONS), expected, `${name}: our bytes, read by protobufjs`);
    assert.deepEqual(decode(codec.message(name), theirs), expected, `${name}: protobufjs' bytes, read by us`);
    assert.deepEqual(decode(codec.message(name), ours), expected, `${name}: round trip`);
  }
});

test("an unknown enum value is a ContractError naming the field; protobufjs would have sent 0 (UNSPECIFIED)", () => {
  const ref = root.lookupType("cortex.v1.CleanRequest");
  const silent = ref.toObject(ref.decode(ref.encode(ref.fromObject({ quantizations: ["QUANTIZATION_4BIT"] })).finish()), OPTIONS);
  assert.deepEqual(silent.quantizations, ["QUANTIZATION_UNSPECIFIED"], "the defect this codec closes");
  assert.throws(() => encode(codec.message("CleanRequest"), { quantizations: ["QUANTIZATION_Q4_K_M", "QUANTIZATION_4BIT"] }), (e: ContractError) => e instanceof ContractError && e.field === "quantizations[1]" && /QUANTIZATION_4BIT.*not a Quantization/.test(e.message));
  assert.throws(() => encode(codec.message("ListJobsRequest"), { states: [99] }), /states\[0\]: 99 is not a JobState/);
  assert.throws(() => encode(codec.message("ConvertModelRequest"), { target: "gguf" }), /target: "gguf" is not a TargetFormat/);
});

test("an enum number the client does not know stays a number when decoded (the daemon is newer than the client)", () => {
  const w = protobuf.Writer.create();
  w.uint32((3 << 3) | 0).int32(77); // Job.state = 77
  assert.equal(decode(codec.message("Job"), w.finish()).state, 77);
});

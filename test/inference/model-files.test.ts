import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { parseLoadOptions, parseMessages, parseSampling } from "../../src/grpc/services/inference-requests.js";
import { inspectModelFile } from "../../src/inference/inspect-model-file.js";
import { resolveModelPath } from "../../src/store/resolve-model-path.js";
import { llamaCppSource, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { tempDir } from "../helpers/temp-dir.js";

const err = (code: string, re: RegExp) => (e: unknown) => {
  assert.ok(isCortexError(e), `a CortexError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.match(e.message, re);
  return true;
};
const skipNoPython = tinyModelsUnavailable();

test("resolveModelPath: absolute .gguf paths and paths under the models folder; everything else is refused by name", (t) => {
  const dir = tempDir(t);
  const models = path.join(dir, "models");
  fs.mkdirSync(path.join(models, "org"), { recursive: true });
  fs.writeFileSync(path.join(models, "org", "m.gguf"), "x");
  fs.symlinkSync(path.join(models, "org", "m.gguf"), path.join(models, "link.gguf"));
  assert.equal(resolveModelPath("org/m.gguf", models), fs.realpathSync(path.join(models, "org", "m.gguf")));
  assert.equal(resolveModelPath(path.join(models, "org", "m.gguf"), models), fs.realpathSync(path.join(models, "org", "m.gguf")));
  assert.equal(resolveModelPath("link.gguf", models), fs.realpathSync(path.join(models, "org", "m.gguf")), "symlinks resolve to one identity");
  assert.throws(() => resolveModelPath("  ", models), err("REQ_INVALID_ARGUMENT", /model is required/));
  assert.throws(() => resolveModelPath("../escape.gguf", models), err("REG_OUTSIDE_ROOTS", /"\.\.\/escape\.gguf" points outside/));
  assert.throws(() => resolveModelPath("org/m.safetensors", models), err("REG_NOT_FOUND", /not a \.gguf file/));
  assert.throws(() => resolveModelPath("nope.gguf", models), err("REG_NOT_FOUND", /"nope\.gguf" not found \(looked for .*models\/nope\.gguf\)/));
});

test("inspectModelFile refuses broken and unloadable GGUFs before any runner sees them", { skip: skipNoPython }, async (t) => {
  const dir = tempDir(t);
  const good = tinyModel();
  const info = await inspectModelFile(good);
  assert.equal(info.architecture, "llama");
  assert.equal(info.trainContextSize, 2048);
  assert.equal(info.weightType, "F16");

  const truncated = path.join(dir, "truncated.gguf");
  fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 100_000));
  await assert.rejects(inspectModelFile(truncated), err("FMT_INVALID", /truncated\.gguf: .*(beyond|truncated|end of file|cannot fit)/));

  const text = path.join(dir, "text.gguf");
  fs.writeFileSync(text, "this is not a model at all, just text");
  await assert.rejects(inspectModelFile(text), err("FMT_INVALID", /text\.gguf: not a GGUF file/));

  await assert.rejects(inspectModelFile(path.join(llamaCppSource(), "models", "ggml-vocab-llama-spm.gguf")), err("FMT_INVALID", /has no tensors \(a vocabulary-only GGUF/));
  await assert.rejects(inspectModelFile(tinyModel({ variant: "no-ffn-length" })), err("FMT_INVALID", /llama\.feed_forward_length is missing/));
  await assert.rejects(inspectModelFile(path.join(dir, "missing.gguf")), err("REG_NOT_FOUND", /missing\.gguf does not exist/));
});

test("request validation names the offending field", () => {
  assert.throws(() => parseSampling({ temperature: -1 }), err("REQ_INVALID_ARGUMENT", /sampling\.temperature -1 is out of range/));
  assert.throws(() => parseSampling({ top_p: 1.5 }), err("REQ_INVALID_ARGUMENT", /sampling\.top_p 1\.5/));
  assert.throws(() => parseSampling({ min_p: 2 }), err("REQ_INVALID_ARGUMENT", /sampling\.min_p 2/));
  assert.throws(() => parseSampling({ repeat_penalty: 0 }), err("REQ_INVALID_ARGUMENT", /sampling\.repeat_penalty 0/));
  assert.throws(() => parseSampling({ stop: ["ok", ""] }), err("REQ_INVALID_ARGUMENT", /sampling\.stop\[1\] is empty/));
  assert.throws(() => parseSampling({ json_schema: "{nope" }), err("REQ_INVALID_ARGUMENT", /sampling\.json_schema is not valid JSON/));
  assert.throws(() => parseSampling({ json_schema: "[1]" }), err("REQ_INVALID_ARGUMENT", /sampling\.json_schema must be a JSON object/));
  assert.throws(() => parseLoadOptions({ ttl_seconds: -5 }), err("REQ_INVALID_ARGUMENT", /load\.ttl_seconds -5 is invalid/));
  assert.throws(() => parseLoadOptions({ gpu_layers: -2 }, "options"), err("REQ_INVALID_ARGUMENT", /options\.gpu_layers -2/));
  assert.throws(() => parseLoadOptions({ context_size: 8 }), err("REQ_INVALID_ARGUMENT", /load\.context_size 8 is out of range/));
  assert.throws(() => parseLoadOptions({ parallel: 65 }), err("REQ_INVALID_ARGUMENT", /load\.parallel 65 exceeds/));
  assert.throws(() => parseMessages([{ role: "user", content: "hi" }, { role: "robot", content: "x" }]), err("REQ_INVALID_ARGUMENT", /messages\[1\]\.role "robot"/));

  assert.deepEqual(parseLoadOptions({ gpu_layers: -1, ttl_seconds: 0, context_size: 0 }), { gpuLayers: "auto", ttlSeconds: 0 });
  assert.deepEqual(parseLoadOptions({ gpu_layers: 0 }), { gpuLayers: 0 }, "0 = CPU only, distinct from unset");
  assert.deepEqual(parseLoadOptions(null), {});
  const s = parseSampling({ temperature: 0, seed: 7, max_tokens: 5, stop: ["\n"] });
  assert.deepEqual(s, { maxTokens: 5, stop: ["\n"], temperature: 0, seed: 7 });
});

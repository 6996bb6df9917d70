import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { lenientCall, rpcError, runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import type { MethodOf, RequestOf } from "../../src/grpc/client.js";
import { bitWidthZoo as zoo } from "./helpers.js";

const MS = "cortex.v1.ModelService";

interface Model {
  id: string;
  name: string;
  format: string;
  quantization: string;
  bits: number;
  bits_low: number;
  bits_high: number;
}


const FOUR_BIT = ["flux-dev-mlx-4bit", "llama-Q4_0", "llama-Q4_K_M", "llama-awq", "llama-bnb-nf4", "llama-gptq"];
const EIGHT_BIT = ["llama-Q8_0", "llama-bnb-int8", "llama-mlx-8bit"];

test("an unknown filter value is refused by the CLI before anything is sent, naming it and the accepted values", async (t) => {
  // No daemon runs on this home: a command that got as far as sending would fail with "not running" instead.
  const home = path.join(tempDir(t, "cxq"), "h");
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);
  for (const args of [
    ["clean", "preview", "--tags", "flux", "--quantization", "4bt"],
    ["clean", "apply", "--tags", "flux", "--quantization", "q4_k_x"],
    ["clean", "apply", "--format", "safetensor"],
    ["clean", "apply", "--bits", "four"],
    ["ls", "--quant", "nf4x"],
    ["ls", "--format", "ggml"],
    ["ls", "--sort", "recent"],
  ]) {
    const bad = args.at(-1)!;
    const r = await cli(...args);
    assert.equal(r.code, 64, `${args.join(" ")}: usage error, got ${r.code}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /not running/, `${args.join(" ")} was refused before sending`);
    assert.ok(r.stderr.includes(`"${bad}"`), `${args.join(" ")} names the value: ${r.stderr}`);
    assert.match(r.stderr, /accepted: /, `${args.join(" ")} lists the accepted values: ${r.stderr}`);
  }
  const q = await cli("clean", "preview", "--quantization", "4bt");
  for (const accepted of ["q4_k_m", "q8_0", "bf16", "mlx", "gptq", "4bit", "8bit"]) assert.ok(q.stderr.includes(accepted), `lists ${accepted}: ${q.stderr}`);
});

test("the daemon refuses UNSPECIFIED or unknown enum values inside filter lists, and deletes nothing", async (t) => {
  const dir = tempDir(t, "cxq");
  const home = path.join(dir, "h");
  const where = await zoo(home);
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: path.join(dir, "hub") } });
  t.after(() => d.stop());
  const call = <M extends MethodOf<typeof MS>>(method: M, req: RequestOf<typeof MS, M>) => d.client.unary(MS, method, req, 60_000);
  await call("TagModel", { id: "flux-dev-bf16", tags: ["flux"] });
  await call("TagModel", { id: "flux-dev-mlx-4bit", tags: ["flux"] });

  // What an older CLI sends for `--quantization 4bit`: a name that is not in the enum (protobufjs encodes it as 0).
  for (const req of [
    { tags: ["flux"], quantizations: ["QUANTIZATION_4BIT"] },
    { tags: ["flux"], quantizations: ["QUANTIZATION_UNSPECIFIED"] },
    { tags: ["flux"], quantizations: [0] },
    { tags: ["flux"], quantizations: [999] },
    { tags: ["flux"], formats: ["MODEL_FORMAT_UNSPECIFIED"] },
    { tags: ["flux"], formats: [77] },
    { tags: ["flux"], bits: [0] },
    { tags: ["flux"], bits: [4, 7] },
  ]) {
    for (const method of ["PreviewClean", "ApplyClean"]) {
      const err = await rpcError(lenientCall(d, MS, method, req));
      assert.equal(err.grpcCode, grpc.status.INVALID_ARGUMENT, `${method} ${JSON.stringify(req)}: ${err.message}`);
      assert.match(err.message, /accepted: /, err.message);
    }
  }
  const unspecified = await rpcError(lenientCall(d, MS, "ApplyClean", { tags: ["flux"], quantizations: ["QUANTIZATION_4BIT"] }));
  assert.match(unspecified.message, /quantizations\[0\]: QUANTIZATION_UNSPECIFIED/);
  assert.match(unspecified.message, /QUANTIZATION_Q4_K_M/);
  const unknown = await rpcError(lenientCall(d, MS, "ApplyClean", { tags: ["flux"], quantizations: [999] }));
  assert.match(unknown.message, /quantizations\[0\]: 999 /);
  assert.ok(fs.existsSync(where["flux-dev-bf16"]!), "the full-precision FLUX model is still there");
  assert.ok(fs.existsSync(where["flux-dev-mlx-4bit"]!));

  for (const req of [{ formats: ["MODEL_FORMAT_UNSPECIFIED"] }, { quantizations: [0] }, { formats: [42] }, { bits: [0] }]) {
    const err = await rpcError(lenientCall(d, MS, "ListModels", req));
    assert.equal(err.grpcCode, grpc.status.INVALID_ARGUMENT, `ListModels ${JSON.stringify(req)}: ${err.message}`);
  }
});

test("bits: ModelInfo carries the weight bit width of every family; --quantization 4bit and --bits 4 select every 4-bit model whatever its format", async (t) => {
  const dir = tempDir(t, "cxq");
  const home = path.join(dir, "h");
  await zoo(home);
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: path.join(dir, "hub") } });
  t.after(() => d.stop());
  const call = <M extends MethodOf<typeof MS>>(method: M, req: RequestOf<typeof MS, M>) => d.client.unary(MS, method, req, 60_000);
  const { models } = await call("ListModels", {});
  const bits = Object.fromEntries(models.map((m) => [m.name, [m.bits, m.bits_low, m.bits_high]]));
  assert.deepEqual(bits, {
    "flux-dev-bf16": [16, 16, 16],
    "flux-dev-mlx-4bit": [4, 4, 4],
    "llama-mlx-8bit": [8, 8, 8],
    "llama-mlx-mixed-3-6": [3, 3, 6],
    "llama-gptq": [4, 4, 4],
    "llama-awq": [4, 4, 4],
    "llama-bnb-nf4": [4, 4, 4],
    "llama-bnb-int8": [8, 8, 8],
    "llama-Q4_K_M": [4, 4, 4],
    "llama-Q4_0": [4, 4, 4],
    "llama-Q8_0": [8, 8, 8],
    "llama-F16": [16, 16, 16],
  });
  const names = (ms: { name: string }[]) => ms.map((m) => m.name).sort();
  assert.deepEqual(names((await call("ListModels", { bits: [4] })).models), FOUR_BIT);
  assert.deepEqual(names((await call("ListModels", { bits: [8] })).models), EIGHT_BIT);
  assert.deepEqual(names((await call("ListModels", { bits: [3] })).models), ["llama-mlx-mixed-3-6"], "a mixed recipe matches its main width");

  const cli = (...args: string[]) => runCli(["--home", home, "--json", ...args]);
  const preview = async (...args: string[]) => {
    const r = await cli("clean", "preview", ...args);
    assert.equal(r.code, 0, r.stderr);
    return names((JSON.parse(r.stdout) as { candidates: { model: Model }[] }).candidates.map((c) => c.model));
  };
  assert.deepEqual(await preview("--quantization", "4bit"), FOUR_BIT);
  assert.deepEqual(await preview("--bits", "4"), FOUR_BIT);
  assert.deepEqual(await preview("--quantization", "8bit"), EIGHT_BIT);
  assert.deepEqual(await preview("--quantization", "4bit", "--format", "gguf"), ["llama-Q4_0", "llama-Q4_K_M"]);
  assert.deepEqual(await preview("--quantization", "q4_k_m", "8bit"), ["llama-Q4_K_M", ...EIGHT_BIT].sort(), "enum names and widths combine as any-of");
  const ls = await cli("ls", "--quant", "4bit");
  assert.deepEqual(names((JSON.parse(ls.stdout) as { models: Model[] }).models), FOUR_BIT);
  const show = await runCli(["--home", home, "show", "llama-mlx-mixed-3-6"]);
  assert.match(show.stdout, /bits\s+3\/6 \(mixed\)/);
});

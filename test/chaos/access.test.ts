import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { CortexClient } from "../../src/cli/client.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub, TEST_TOKEN } from "../hub/loopback-hub.js";
import { jobSourceGguf, waitFinal } from "./helpers.js";

const CORTEX_TOKEN = "cortex-secret-token-0123456789abcdef";

type Rejection = Error & { grpcCode?: number };
const rejectedWith = (code: number, re: RegExp) => (err: Rejection) => err.grpcCode === code && re.test(err.message);

test("hostile requests: crafted model ids and output paths never read or write outside the roots; repeated bad tokens are slowed; secrets never reach the logs", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  const outside = path.join(dir, "outside");
  fs.mkdirSync(outside, { recursive: true });
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  fs.copyFileSync(src.file, path.join(outside, "secret.gguf"));
  fs.copyFileSync(src.file, path.join(home, "models", "ok-F16.gguf"));
  // A link inside the models folder pointing out of the roots.
  fs.symlinkSync(path.join(outside, "secret.gguf"), path.join(home, "models", "escape.gguf"));

  const hub = await LoopbackHub.start({ "org/private": { private: true, files: { "config.json": { data: Buffer.from("{}\n") } } } });
  t.after(() => hub.close());
  const env = { CORTEX_TOKEN, HF_TOKEN: TEST_TOKEN, HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hf"), CORTEX_THREADS: "1" };
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"], env });
  t.after(() => d.stop());
  const c = d.client;
  const before = fs.readdirSync(outside).sort();

  // Model ids and paths that try to leave the roots.
  const quantize = (model: string, output_name = "") => c.unary("cortex.v1.JobService", "QuantizeModel", { model, type: "Q8_0", output_name });
  await assert.rejects(quantize(path.join(outside, "secret.gguf")), rejectedWith(grpc.status.PERMISSION_DENIED, /outside cortexd's roots/));
  await assert.rejects(quantize("../../outside/secret"), rejectedWith(grpc.status.INVALID_ARGUMENT, /is not a model name/));
  await assert.rejects(quantize("escape"), rejectedWith(grpc.status.PERMISSION_DENIED, /links to .*secret\.gguf, outside cortexd's roots/));
  await assert.rejects(quantize(`${home}/models/../../outside/secret.gguf`), rejectedWith(grpc.status.PERMISSION_DENIED, /outside cortexd's roots/));
  for (const name of ["../x", "/tmp/x", "a/b", "..", ".hidden", "x\u0000y"]) {
    await assert.rejects(quantize("ok-F16", name), rejectedWith(grpc.status.INVALID_ARGUMENT, /output_name/), name);
  }
  const convert = (source: string) => c.unary("cortex.v1.JobService", "ConvertModel", { source, target: "TARGET_FORMAT_GGUF" });
  await assert.rejects(convert(outside), rejectedWith(grpc.status.PERMISSION_DENIED, /outside cortexd's roots/));
  const generate = (model: string) =>
    new Promise<unknown>((resolve) => {
      const s = c.stream("cortex.v1.InferenceService", "Generate", { model, prompt: "x", sampling: { max_tokens: 1 } });
      s.on("data", () => undefined);
      s.on("error", resolve);
      s.on("end", () => resolve(undefined));
    });
  for (const model of [path.join(outside, "secret.gguf"), "escape.gguf", "../../outside/secret.gguf"]) {
    const err = (await generate(model)) as grpc.ServiceError | undefined;
    assert.equal(err?.code, grpc.status.PERMISSION_DENIED, `${model}: ${String(err)}`);
  }
  for (const id of [path.join(outside, "secret.gguf"), "../outside"]) {
    await assert.rejects(c.unary("cortex.v1.ModelService", "DeleteModel", { id }), rejectedWith(grpc.status.NOT_FOUND, /no model matches/), id);
  }
  assert.deepEqual(fs.readdirSync(outside).sort(), before, "nothing outside the roots was touched");
  const listed = await c.unary("cortex.v1.ModelService", "ListModels", {});
  assert.ok(!JSON.stringify(listed.models).includes(outside), "a link out of the roots is not listed");
  assert.ok(listed.warnings.some((w) => w.includes("escape.gguf links outside")), "but it is named in the warnings");

  // TCP: the token is required, compared in constant time, and a peer that keeps guessing is slowed down.
  const status = await c.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const guess = async (token: string) => {
    const g = new CortexClient({ address, token });
    const t0 = Date.now();
    await assert.rejects(g.unary("cortex.v1.ModelService", "GetStatus", {}, 10_000), rejectedWith(grpc.status.UNAUTHENTICATED, /invalid bearer token/));
    g.close();
    return Date.now() - t0;
  };
  const times: number[] = [];
  for (let i = 0; i < 6; i++) times.push(await guess(`guess-${i}-${CORTEX_TOKEN.slice(0, 8)}`));
  t.diagnostic(`answer times of 6 wrong guesses: ${times.join(", ")} ms`);
  assert.ok(times[5]! >= 700, `the 6th failure is answered after ≥ 0.8 s (got ${times[5]} ms)`);
  const right = new CortexClient({ address, token: CORTEX_TOKEN });
  assert.ok((await right.unary("cortex.v1.ModelService", "GetStatus", {})).version);
  right.close();

  // A pull that uses the HF token (and fails: the repo needs another account), then GetConfig.
  const pull = await c.unary("cortex.v1.JobService", "PullModel", { repo: "org/missing" });
  await waitFinal(c, pull.job_id);
  const cfg = JSON.stringify(await c.unary("cortex.v1.ModelService", "GetConfig", {}));
  for (const secret of [CORTEX_TOKEN, TEST_TOKEN]) {
    assert.ok(!cfg.includes(secret), "GetConfig hides secrets");
    assert.ok(!d.output().includes(secret), "the logs never contain a secret");
  }
  assert.ok(d.output().includes("rejected call without a valid bearer token"), "failed logins are logged (without the token)");
  assert.ok(hub.requests.some((r) => r.authorization === `Bearer ${TEST_TOKEN}`), "the HF token was in use");
});

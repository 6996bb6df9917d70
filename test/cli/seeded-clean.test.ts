import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { homePaths } from "../../src/config/paths.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { rpcError, runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { bitWidthZoo } from "../store/helpers.js";

const DAY = 86_400_000;

function ageTree(root: string, days: number): void {
  const t = new Date(Date.now() - days * DAY);
  for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true })) if (e.isFile()) fs.utimesSync(path.join(e.parentPath, e.name), t, t);
}

/**
 * The seed's commands, as a new user types them: tag the FLUX models, clean the 4-bit FLUX ones, run a model, then
 * clean everything older than 30 days. Only what each command selects goes.
 */
test("seeded scenario: clean --tags flux --quantization 4bit deletes the 4-bit FLUX only; clean --older-than 30d after a run keeps what was run", { skip: tinyModelsUnavailable() }, async (t) => {
  const dir = tempDir(t, "cxz");
  const home = path.join(dir, "h");
  const p = homePaths(home);
  const where = await bitWidthZoo(home);
  copyModel(tinyModel(), p.models, "chat-tiny.gguf");
  const hub = path.join(dir, "hub");
  makeHfCache(hub, [{ repo: "org/cached", revisions: [{ commit: commitOf("c"), refs: ["main"], files: { "cached.gguf": fs.readFileSync(tinyModel()) } }] }]);
  for (const root of [p.models, p.mlxModels, p.quantizedModels, hub]) ageTree(root, 45);
  copyModel(tinyModel(), p.models, "fresh.gguf"); // pulled today

  const d = await startDaemon(home, { env: { HF_HUB_CACHE: hub, CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const cli = async (...args: string[]) => {
    const r = await runCli(["--home", home, ...args]);
    assert.equal(r.code, 0, `cortex ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const listed = async () => (JSON.parse(await cli("--json", "ls")) as { models: { name: string }[] }).models.map((m) => m.name).sort();
  const all = await listed();

  await cli("tag", "flux-dev-bf16", "flux");
  await cli("tag", "flux-dev-mlx-4bit", "flux");
  const preview = await cli("clean", "preview", "--tags", "flux", "--quantization", "4bit");
  assert.match(preview, /flux-dev-mlx-4bit/);
  assert.doesNotMatch(preview, /flux-dev-bf16/, "full precision is not 4-bit");
  assert.match(await cli("clean", "apply", "--tags", "flux", "--quantization", "4bit"), /deleted 1 model\(s\)/);
  assert.equal(fs.existsSync(where["flux-dev-mlx-4bit"]!), false);
  assert.ok(fs.existsSync(where["flux-dev-bf16"]!), "the BF16 FLUX model is kept");
  assert.deepEqual(await listed(), all.filter((n) => n !== "flux-dev-mlx-4bit"));

  // A preview taken before the run: applying it after the run deletes nothing.
  const before = await d.client.unary("cortex.v1.ModelService", "PreviewClean", { older_than_seconds: 30 * 86400 });
  assert.ok(before.candidates.some((c) => c.model?.name === "chat-tiny"));
  await cli("run", "chat-tiny", "--raw", "--max-tokens", "2", "hello");
  await cli("unload", "chat-tiny");
  const stale = await rpcError(d.client.unary("cortex.v1.ModelService", "ApplyClean", { older_than_seconds: 30 * 86400, expect_plan_token: before.plan_token }));
  assert.equal(stale.grpcCode, grpc.status.FAILED_PRECONDITION, "the selection changed since that preview");
  assert.deepEqual(await listed(), all.filter((n) => n !== "flux-dev-mlx-4bit"), "nothing deleted");

  const applied = await cli("clean", "apply", "--older-than", "30d");
  assert.match(applied, /deleted 11 model\(s\)/);
  assert.deepEqual(await listed(), ["chat-tiny", "fresh", "org/cached/cached"], "run a minute ago, pulled today, and the shared HF cache (opt-in) stay");
  assert.ok(fs.existsSync(path.join(p.models, "chat-tiny.gguf")));
});

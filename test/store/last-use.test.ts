import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { homePaths } from "../../src/config/paths.js";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { recordModelUsed } from "../../src/store/manifest/record-model.js";
import { UsageRecorder } from "../../src/store/usage-recorder.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { makeTinyGguf } from "../fixtures/make-model-zoo.js";
import { tempDir } from "../helpers/temp-dir.js";
import { newStore, storeRoots } from "./helpers.js";

const DAY = 86_400_000;
const age = (p: string, days: number) => {
  const t = new Date(Date.now() - days * DAY);
  fs.utimesSync(p, t, t);
};
const skip = tinyModelsUnavailable();

interface Candidate {
  model: { name: string };
  reason: string;
}
interface Plan {
  candidates: Candidate[];
  skipped: Candidate[];
  plan_token: string;
}
const names = (cs: Candidate[]) => cs.map((c) => c.model.name).sort();

test("usage marks are batched: a burst of uses is one write per model, with the latest time", async () => {
  const writes: Map<string, Date>[] = [];
  const r = new UsageRecorder(async (marks) => void writes.push(new Map(marks)), 50);
  for (let i = 0; i < 500; i++) r.mark(["/m/a.gguf", "/m/b.gguf", "/m/c"][i % 3]!, 1_000_000 + i);
  assert.equal(writes.length, 0, "nothing is written on the hot path");
  await sleep(120);
  assert.equal(writes.length, 1);
  assert.deepEqual([...writes[0]!.entries()].map(([k, d]) => [k, d.getTime()]).sort(), [["/m/a.gguf", 1_000_498], ["/m/b.gguf", 1_000_499], ["/m/c", 1_000_497]]);
  r.mark("/m/a.gguf", 2_000_000);
  await r.flush();
  assert.equal(writes.length, 2, "flush writes what is pending at once");
  await r.flush();
  assert.equal(writes.length, 2, "and nothing when nothing is pending");
  await r.close();
});

test("a run records last use: ls, show and --sort last_used show it, clean --older-than keeps the model; a loaded HF-cache model is never selected; a quantization records its source's use", { skip }, async (t) => {
  const dir = tempDir(t, "cxu");
  const home = path.join(dir, "h");
  const p = homePaths(home);
  const tiny = tinyModel();
  age(copyModel(tiny, p.models, "used.gguf"), 45);
  age(copyModel(tiny, p.models, "unused.gguf"), 45);
  age(copyModel(tiny, p.models, "source.gguf"), 45);
  const hub = path.join(dir, "hub");
  const { blobOf } = makeHfCache(hub, [{ repo: "org/tiny-gguf", revisions: [{ commit: commitOf("t"), refs: ["main"], files: { "tiny-F32.gguf": fs.readFileSync(tiny) } }] }]);
  age(blobOf("org/tiny-gguf", fs.readFileSync(tiny)), 45);
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: hub, CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli("--json", ...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  const before = await json<Plan>("clean", "preview", "--older-than", "30d");
  assert.deepEqual(names(before.candidates), ["source", "unused", "used"], "never used, created 45 days ago");
  const ran = await cli("run", "used", "--raw", "--max-tokens", "3", "the cat");
  assert.equal(ran.code, 0, ran.stderr);
  const shown = await json<{ last_used_at: string }>("show", "used");
  assert.ok(Date.now() - Date.parse(shown.last_used_at) < 60_000, `last used ${shown.last_used_at}`);
  const human = await cli("ls");
  assert.match(human.stdout, new RegExp(`used\\s+gguf.*${new Date().toISOString().slice(0, 10)}`));
  const sorted = await json<{ models: { name: string }[] }>("ls", "--sort", "-last_used");
  assert.equal(sorted.models[0]!.name, "used");

  const unload = await cli("unload", "used");
  assert.equal(unload.code, 0, unload.stderr);
  const after = await json<Plan>("clean", "preview", "--older-than", "30d");
  assert.deepEqual(names(after.candidates), ["source", "unused"], "run a minute ago: kept");
  assert.deepEqual(names(after.skipped), [], "kept because it was used, not because it is loaded");

  // An HF-cache GGUF loaded in the pool is held, though the pool knows it by its blob's path.
  const tag = await cli("tag", "org/tiny-gguf/tiny-F32", "scratch");
  assert.equal(tag.code, 0, tag.stderr);
  const hfRun = await cli("run", "org/tiny-gguf/tiny-F32", "--raw", "--max-tokens", "2", "hi");
  assert.equal(hfRun.code, 0, hfRun.stderr);
  const held = await json<Plan>("clean", "preview", "--tags", "scratch", "--hf-cache");
  assert.deepEqual(names(held.candidates), [], "a loaded model is never a candidate");
  assert.deepEqual(names(held.skipped), ["org/tiny-gguf/tiny-F32"]);
  assert.match(held.skipped[0]!.reason, /loaded in the inference pool/);
  const apply = await cli("clean", "apply", "--tags", "scratch", "--hf-cache");
  assert.equal(apply.code, 0, apply.stderr);
  assert.ok(fs.existsSync(blobOf("org/tiny-gguf", fs.readFileSync(tiny))), "its blob is still there");

  // A quantization reads its source: the source counts as used.
  const q = await cli("quantize", "source", "Q8_0");
  assert.equal(q.code, 0, q.stderr);
  const last = await json<Plan>("clean", "preview", "--older-than", "30d");
  assert.deepEqual(names(last.candidates), ["unused"], "the quantization's source was used just now");
});

test("a plan is applied exactly as previewed: a model used between preview and apply is not deleted", async (t) => {
  const r = storeRoots(t);
  const a = path.join(r.quantizedModels, "a.gguf");
  const b = path.join(r.quantizedModels, "b.gguf");
  for (const f of [a, b]) {
    await makeTinyGguf(f);
    age(f, 45);
  }
  const store = newStore(r);
  t.after(() => store.close());
  await store.tag("a", ["scratch"]);
  await store.tag("b", ["scratch"]);

  // Selected by tag: still selected after the use, but it is no longer the model the user previewed.
  const byTag = await store.previewClean({ tags: ["scratch"] });
  assert.deepEqual(byTag.candidates.map((c) => c.model.name).sort(), ["a", "b"]);
  await recordModelUsed(r, a);
  await assert.rejects(store.applyClean({ tags: ["scratch"] }, byTag.token), (e: unknown) => isCortexError(e) && e.code === "REG_CHANGED");
  assert.ok(fs.existsSync(a) && fs.existsSync(b), "nothing deleted");

  // Selected by age: the use takes it out of the selection.
  const byAge = await store.previewClean({ olderThanSeconds: 30 * 86400 });
  assert.deepEqual(byAge.candidates.map((c) => c.model.name), ["b"]);
  await recordModelUsed(r, b);
  await assert.rejects(store.applyClean({ olderThanSeconds: 30 * 86400 }, byAge.token), (e: unknown) => isCortexError(e) && e.code === "REG_CHANGED");
  assert.ok(fs.existsSync(b), "used between preview and apply: kept");
});

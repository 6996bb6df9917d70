import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { recordModelUsed } from "../../src/store/manifest/record-model.js";
import { combineHolders, jobHolders, type HeldModel } from "../../src/store/model-holders.js";
import { assertRemovable, safeRemove } from "../../src/store/safe-remove.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { makeHfFolder, makeTinyGguf } from "../fixtures/make-model-zoo.js";
import { newStore, storeRoots } from "./helpers.js";

const DAY = 86_400_000;
const old = (p: string, days: number) => {
  const t = new Date(Date.now() - days * DAY);
  fs.utimesSync(p, t, t);
};

test("clean preview: older-than (last use, else creation), larger-than, any of the tags, roots opt-in; held models are skipped, never deleted", async (t) => {
  const r = storeRoots(t);
  await makeTinyGguf(path.join(r.quantizedModels, "stale.gguf"));
  old(path.join(r.quantizedModels, "stale.gguf"), 90);
  await makeTinyGguf(path.join(r.quantizedModels, "used.gguf"));
  old(path.join(r.quantizedModels, "used.gguf"), 90);
  await recordModelUsed(r, path.join(r.quantizedModels, "used.gguf"), new Date(Date.now() - 2 * DAY));
  makeHfFolder(path.join(r.models, "big"));
  await makeTinyGguf(path.join(r.extra, "extra.gguf"));
  old(path.join(r.extra, "extra.gguf"), 90);
  const ggufBytes = fs.readFileSync(path.join(r.quantizedModels, "stale.gguf"));
  const { blobOf } = makeHfCache(r.hfHubCache, [{ repo: "org/x", revisions: [{ commit: commitOf("x"), refs: ["main"], files: { "a.gguf": ggufBytes } }] }]);
  old(blobOf("org/x", ggufBytes), 90);
  const held = new Set<string>();
  const store = newStore(r, async (m) => (held.has(m.name) ? [`loaded in the inference pool`] : []));

  const names = (p: { candidates: { model: { name: string } }[] }) => p.candidates.map((c) => c.model.name).sort();
  const byAge = await store.previewClean({ olderThanSeconds: 30 * 86400 });
  assert.deepEqual(names(byAge), ["stale"], "used 2 days ago is kept; extra folder and HF cache are opt-in");
  assert.match(byAge.candidates[0]!.reason, /never used, created 9\dd ago/);
  assert.deepEqual(names(await store.previewClean({ olderThanSeconds: 30 * 86400, includeModelDirs: true, includeHfCache: true })), ["extra", "org/x/a", "stale"].sort());
  const bigSize = (await store.get("big")).sizeBytes;
  assert.deepEqual(names(await store.previewClean({ largerThanBytes: bigSize - 1 })), ["big"]);
  await store.tag("used", ["tmp"]);
  await store.tag("big", ["scratch"]);
  assert.deepEqual(names(await store.previewClean({ tags: ["scratch", "tmp"] })), ["big", "used"]);
  assert.deepEqual(names(await store.previewClean({ formats: ["GGUF"], quantizations: ["Q4_K_M"] })), ["stale", "used"]);

  held.add("big");
  const plan = await store.previewClean({ tags: ["scratch", "tmp"] });
  assert.deepEqual(names(plan), ["used"]);
  assert.deepEqual(plan.skipped.map((s) => [s.model.name, s.reason]), [["big", "in use: loaded in the inference pool"]]);
  const applied = await store.applyClean({ tags: ["scratch", "tmp"] }, plan.token);
  assert.deepEqual(applied.deleted.map((m) => m.name), ["used"]);
  assert.ok(fs.existsSync(path.join(r.models, "big")));
  assert.equal(fs.existsSync(path.join(r.quantizedModels, "used.gguf")), false);
  await assert.rejects(store.delete("big"), (e: unknown) => isCortexError(e) && e.code === "REG_IN_USE" && /big \([0-9a-f]{12}\) is in use: loaded in the inference pool/.test(e.message));
});

test("holders: jobs match by path, name or HF repo; a failing holder refuses the delete", async (t) => {
  const r = storeRoots(t);
  const model: HeldModel = { id: "abc", name: "org/m", paths: [path.join(r.hfHubCache, "models--org--m", "snapshots", "c1")], root: "hf-cache", sourceRepo: "org/m", sourceRevision: "c1" };
  const folder: HeldModel = { id: "def", name: "tiny", paths: [path.join(r.models, "tiny")], root: "cortex", sourceRepo: "", sourceRevision: "" };
  const jobs = [
    { id: "pull-1", type: "JOB_TYPE_PULL", state: "JOB_STATE_ACTIVE", model: "org/m@main" },
    { id: "convert-2", type: "JOB_TYPE_CONVERT", state: "JOB_STATE_QUEUED", model: "tiny" },
    { id: "quantize-3", type: "JOB_TYPE_QUANTIZE", state: "JOB_STATE_ACTIVE", model: "other" },
  ];
  const resolve = (ref: string) => (ref === "tiny" ? path.join(r.models, "tiny") : ref === "other" ? path.join(r.models, "other") : undefined);
  const h = jobHolders(async () => jobs, resolve);
  assert.deepEqual(await h(model), ["job pull-1 (pull, active)"]);
  assert.deepEqual(await h(folder), ["job convert-2 (convert, queued)"]);
  const failing = combineHolders(h, async () => {
    throw new Error("pool unreachable");
  });
  assert.deepEqual(await failing(folder), ["job convert-2 (convert, queued)", "a holder could not answer (pool unreachable)"]);

  makeHfFolder(path.join(r.models, "tiny"));
  const store = newStore(r, failing);
  await assert.rejects(store.delete("tiny"), (e: unknown) => isCortexError(e) && e.code === "REG_IN_USE" && /job convert-2/.test(e.message) && /could not answer/.test(e.message));
  assert.ok(fs.existsSync(path.join(r.models, "tiny")));
});

test("deleting never leaves the roots: links inside a model are removed as links, empty parents pruned up to the root", async (t) => {
  const r = storeRoots(t);
  const outside = path.join(path.dirname(r.home), "precious.txt");
  fs.writeFileSync(outside, "keep me");
  makeHfFolder(path.join(r.models, "org", "tiny"));
  fs.symlinkSync(outside, path.join(r.models, "org", "tiny", "notes.txt"));
  fs.symlinkSync(path.dirname(r.home), path.join(r.models, "org", "tiny", "up"));
  await makeTinyGguf(path.join(r.quantizedModels, "a", "b", "deep.gguf"));
  const store = newStore(r);
  const res = await store.delete("org/tiny");
  assert.deepEqual(res.deletedPaths, [path.join(r.models, "org", "tiny")]);
  assert.equal(fs.readFileSync(outside, "utf8"), "keep me");
  assert.equal(fs.existsSync(path.join(r.models, "org")), false, "empty parent pruned");
  assert.ok(fs.existsSync(r.models), "root kept");
  await store.delete("a/b/deep");
  assert.deepEqual(fs.readdirSync(r.quantizedModels), []);

  await assert.rejects(assertRemovable(r.models, [r.models]), (e: unknown) => isCortexError(e) && e.code === "REG_OUTSIDE_ROOTS", "a root itself");
  await assert.rejects(assertRemovable(outside, [r.models]), (e: unknown) => isCortexError(e) && e.code === "REG_OUTSIDE_ROOTS" && e.message.includes(outside));
  await assert.rejects(safeRemove(path.join(r.models, "..", "..", "precious.txt"), [r.models]), (e: unknown) => isCortexError(e) && e.code === "REG_OUTSIDE_ROOTS");
  // a folder link inside a root must not carry a removal elsewhere
  fs.symlinkSync(path.dirname(r.home), path.join(r.models, "escape"));
  await assert.rejects(safeRemove(path.join(r.models, "escape", "precious.txt"), [r.models]), (e: unknown) => isCortexError(e) && e.code === "REG_OUTSIDE_ROOTS" && /resolves to/.test(e.message));
  assert.ok(fs.existsSync(outside));
});

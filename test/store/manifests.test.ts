import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { FileHasher } from "../../src/store/manifest/file-hasher.js";
import { ManifestStore, manifestPath, writeManifest } from "../../src/store/manifest/manifest-store.js";
import { recordModelProduced, recordModelUsed } from "../../src/store/manifest/record-model.js";
import { FAST_HASH_LIMIT } from "../../src/store/manifest/sync-manifests.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { makeHfFolder, makeTinyGguf } from "../fixtures/make-model-zoo.js";
import { newStore, storeRoots } from "./helpers.js";

const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");
const base = { schemaVersion: 1 as const, id: "0123456789ab", identity: "cortex:models/x", name: "x", root: "cortex" as const, paths: ["/x"], createdAt: "2025-01-01T00:00:00Z", updatedAt: "2025-01-01T00:00:00Z" };

test("manifests are validated by the schema and written atomically; a newer schema version is never overwritten", async (t) => {
  const r = storeRoots(t);
  const m = await writeManifest(r.manifests, { ...base, tags: ["a"] });
  assert.deepEqual(m.provenance, { sourceRepo: "", revision: "", files: [], convertedFrom: [] }, "defaults filled");
  assert.deepEqual(fs.readdirSync(r.manifests), ["0123456789ab.manifest.json"], "no temporary file left");
  for (const [bad, field] of [[{ ...base, id: "../../etc" }, /id:/], [{ ...base, tags: ["has space"] }, /tags\.0/], [{ ...base, createdAt: "yesterday" }, /createdAt: must be an ISO-8601/], [{ ...base, format: "ONNX" }, /format/]] as const) {
    await assert.rejects(writeManifest(r.manifests, bad as never), (e: unknown) => isCortexError(e) && e.code === "REQ_INVALID_ARGUMENT" && field.test(e.message));
  }
  const store = new ManifestStore(r.manifests);
  fs.writeFileSync(manifestPath(r.manifests, "aaaaaaaaaaaa"), JSON.stringify({ ...base, id: "aaaaaaaaaaaa", schemaVersion: 2 }));
  fs.writeFileSync(manifestPath(r.manifests, "bbbbbbbbbbbb"), "{truncated");
  const all = await store.all();
  assert.deepEqual([...all.byId.keys()], ["0123456789ab"]);
  const reasons = all.problems.map((p) => (p.ok ? "" : `${path.basename(p.file)}: ${p.reason}`)).sort();
  assert.equal(reasons.length, 2);
  assert.match(reasons[0]!, /^aaaaaaaaaaaa\.manifest\.json: schemaVersion 2 is newer than this cortexd \(1\)$/);
  assert.match(reasons[1]!, /^bbbbbbbbbbbb\.manifest\.json: not valid JSON/);
  await assert.rejects(store.update("aaaaaaaaaaaa", () => ({ ...base, id: "aaaaaaaaaaaa" })), (e: unknown) => isCortexError(e) && e.code === "REG_BROKEN" && /not overwriting/.test(e.message));
  assert.match(fs.readFileSync(manifestPath(r.manifests, "aaaaaaaaaaaa"), "utf8"), /"schemaVersion":2/);
});

test("recordModelProduced builds the converted-from chain across jobs and inherits Hub provenance; recordModelUsed sets last use", async (t) => {
  const r = storeRoots(t);
  const A = commitOf("a");
  const src = path.join(r.extra, "src");
  makeHfFolder(src);
  makeHfCache(r.hfHubCache, [{ repo: "org/tiny", revisions: [{ commit: A, refs: ["main"], files: Object.fromEntries(fs.readdirSync(src).map((n) => [n, fs.readFileSync(path.join(src, n))])) }] }]);
  const snapshot = path.join(r.hfHubCache, "models--org--tiny", "snapshots", A);

  const f16 = path.join(r.models, "tiny-F16.gguf");
  await makeTinyGguf(f16, 1);
  const step1 = await recordModelProduced(r, { path: f16, kind: "convert", source: "org/tiny@main", sourcePath: snapshot, recipe: { outtype: "f16" }, toolVersions: { cortexd: "0.1.0" }, jobId: "convert-1", tags: ["fresh"] });
  assert.equal(step1.provenance.sourceRepo, "org/tiny");
  assert.equal(step1.provenance.revision, A);
  assert.equal(step1.format, "GGUF");
  assert.equal(step1.quantization.type, "FP16");
  assert.deepEqual(step1.provenance.convertedFrom.map((s) => [s.kind, s.source, s.recipe]), [["convert", "org/tiny@main", { outtype: "f16" }]]);

  const q4 = path.join(r.quantizedModels, "tiny-Q4_K_M.gguf");
  await makeTinyGguf(q4, 15);
  const bytes = fs.readFileSync(q4);
  const step2 = await recordModelProduced(r, { path: q4, kind: "quantize", sourcePath: f16, recipe: { type: "Q4_K_M" }, toolVersions: { cortexd: "0.1.0", "llama.cpp": "b6000" }, sha256: { "tiny-Q4_K_M.gguf": sha(bytes) } });
  assert.deepEqual(step2.provenance.convertedFrom.map((s) => s.kind), ["convert", "quantize"]);
  assert.equal(step2.provenance.convertedFrom[1]!.toolVersions["llama.cpp"], "b6000");
  assert.equal(step2.provenance.sourceRepo, "org/tiny", "inherited through the chain");
  assert.deepEqual(step2.provenance.files, [{ path: "tiny-Q4_K_M.gguf", size: bytes.length, sha256: sha(bytes), mtimeMs: fs.statSync(q4).mtimeMs }]);

  const store = newStore(r);
  const listed = (await store.list()).models.find((m) => m.name === "tiny-Q4_K_M")!;
  assert.equal(listed.sourceRepo, "org/tiny");
  assert.equal(listed.lastUsedAt, "");
  const when = new Date("2025-06-01T12:00:00Z");
  await recordModelUsed(r, q4, when);
  assert.equal((await store.get("tiny-Q4_K_M")).lastUsedAt, when.toISOString());
  await assert.rejects(recordModelProduced(r, { path: "/etc/passwd" }), (e: unknown) => isCortexError(e) && e.code === "REG_OUTSIDE_ROOTS");
  await assert.rejects(recordModelProduced(r, { path: path.join(r.models, "nothing-here") }), (e: unknown) => isCortexError(e) && e.code === "REG_NOT_FOUND");
});

test("sync hashes every file, reuses hashes of unchanged files, skips large weights with --fast, reports and prunes orphans", async (t) => {
  const r = storeRoots(t);
  const small = path.join(r.models, "small.gguf");
  await makeTinyGguf(small);
  const big = path.join(r.models, "big.gguf");
  await makeTinyGguf(big);
  fs.appendFileSync(big, Buffer.alloc(0));
  fs.truncateSync(big, FAST_HASH_LIMIT + 4096); // trailing bytes: still a valid header, now "large"
  await writeManifest(r.manifests, { ...base, paths: [path.join(r.models, "gone.gguf")] });
  const store = newStore(r);

  const fast = await store.sync({ fast: true });
  const byName = (res: typeof fast) => new Map(res.written.map((m) => [m.name, m]));
  assert.equal(byName(fast).get("big")!.provenance.files[0]!.sha256, undefined, "large weight file not hashed in fast mode");
  assert.equal(byName(fast).get("small")!.provenance.files[0]!.sha256, sha(fs.readFileSync(small)));
  assert.deepEqual(fast.orphans.map((o) => o.id), ["0123456789ab"]);
  assert.ok(fs.existsSync(manifestPath(r.manifests, "0123456789ab")), "reported, not deleted");

  const fixed = new Date("2025-01-01T00:00:00Z"); // whole milliseconds: restorable exactly below
  fs.utimesSync(small, fixed, fixed);
  const full = await store.sync({ pruneOrphans: true });
  assert.equal(byName(full).get("big")!.provenance.files[0]!.sha256, sha(fs.readFileSync(big)));
  assert.equal(fs.existsSync(manifestPath(r.manifests, "0123456789ab")), false, "pruned");

  // same size, same mtime: the recorded hash is trusted (not re-read)
  const before = byName(full).get("small")!.provenance.files[0]!.sha256;
  const buf = fs.readFileSync(small);
  buf[buf.length - 1] ^= 0xff;
  fs.writeFileSync(small, buf);
  fs.utimesSync(small, fixed, fixed);
  const again = await store.sync({ models: ["small"] });
  assert.equal(again.written[0]!.provenance.files[0]!.sha256, before);
  fs.utimesSync(small, fixed, new Date(fixed.getTime() + 5000));
  assert.equal((await store.sync({ models: ["small"] })).written[0]!.provenance.files[0]!.sha256, sha(buf), "a new mtime re-hashes");
});

test("FileHasher hashes on worker threads: correct digests, and the event loop keeps turning", async (t) => {
  const r = storeRoots(t);
  const file = path.join(r.home, "blob.bin");
  const data = crypto.randomBytes(48 << 20);
  fs.writeFileSync(file, data);
  const hasher = new FileHasher(2);
  t.after(() => hasher.close());
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const [a, b] = await Promise.all([hasher.hash(file), hasher.hash(file)]);
  h.disable();
  assert.equal(a.sha256, sha(data));
  assert.equal(b.size, data.length);
  assert.ok(h.max / 1e6 < 250, `event loop stalled ${h.max / 1e6} ms while hashing`);
  await assert.rejects(hasher.hash(path.join(r.home, "missing")), (e: unknown) => isCortexError(e) && e.code === "IO_ERROR" && e.message.includes("missing"));
});

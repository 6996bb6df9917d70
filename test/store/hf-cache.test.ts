import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import { tryBlobLock } from "../../src/hub/blob-lock.js";
import { executeHfCacheDelete, planHfCacheDelete, planHfCachePrune, resolveHfTargets } from "../../src/store/hf-cache/delete-hf-cache.js";
import { scanHfCache } from "../../src/store/hf-cache/scan-hf-cache.js";
import { cacheRepoDir, commitOf, makeHfCache, sha256Hex } from "../fixtures/make-hf-cache.js";
import { tempDir } from "../helpers/temp-dir.js";

const A = commitOf("a");
const B = commitOf("b");
const C = commitOf("c");
const CONFIG = '{"architectures":["LlamaForCausalLM"]}';
const W_A = "weights of revision A ".repeat(50);
const W_B = "weights of revision B, longer ".repeat(80);
const TOK = '{"model":{"type":"BPE"}}';

/** org/model: A (main), B (refs/pr/1), C detached; config.json shared by all, A's weights shared with C. */
function buildCache(cache: string) {
  return makeHfCache(cache, [
    {
      repo: "org/model",
      revisions: [
        { commit: A, refs: ["main"], files: { "config.json": CONFIG, "model.safetensors": W_A, "sub/tokenizer.json": TOK } },
        { commit: B, refs: ["refs/pr/1"], files: { "config.json": CONFIG, "model.safetensors": W_B } },
        { commit: C, files: { "config.json": CONFIG, "model.safetensors": W_A } },
      ],
    },
    { repo: "org/norefs", noRefsDir: true, revisions: [{ commit: A, files: { "config.json": CONFIG } }] },
    { repo: "org/data", type: "dataset", revisions: [{ commit: B, refs: ["main"], files: { "train.jsonl": "{}\n" } }] },
  ]);
}

test("scan follows Python's scan_cache_dir: nested refs, subfolders, shared blobs counted once, detached revisions", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  buildCache(cache);
  fs.mkdirSync(path.join(cache, ".locks", "models--org--model"), { recursive: true });
  fs.writeFileSync(path.join(cache, "CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55");
  fs.mkdirSync(path.join(cache, "blobs", "ab"), { recursive: true }); // shared xet store: skipped
  fs.writeFileSync(path.join(cacheRepoDir(cache, "org/model"), "blobs", `${"f".repeat(64)}.incomplete`), Buffer.alloc(1234));

  const info = await scanHfCache(cache);
  assert.deepEqual(info.warnings, []);
  assert.deepEqual(info.repos.map((r) => `${r.repoType}:${r.repoId}`), ["dataset:org/data", "model:org/model", "model:org/norefs"]);
  const repo = info.repos.find((r) => r.repoId === "org/model")!;
  const size = (s: string) => Buffer.byteLength(s);
  assert.equal(repo.nbFiles, 4, "config, W_A, W_B, tokenizer: distinct blobs");
  assert.equal(repo.sizeOnDisk, size(CONFIG) + size(W_A) + size(W_B) + size(TOK), ".incomplete not counted");
  assert.deepEqual(Object.fromEntries(repo.refs), { main: A, "refs/pr/1": B });
  const byCommit = new Map(repo.revisions.map((r) => [r.commitHash, r]));
  assert.deepEqual(byCommit.get(A)!.refs, ["main"]);
  assert.deepEqual(byCommit.get(B)!.refs, ["refs/pr/1"]);
  assert.deepEqual(byCommit.get(C)!.refs, [], "detached");
  assert.deepEqual(byCommit.get(A)!.files.map((f) => f.fileName), ["config.json", "model.safetensors", "sub/tokenizer.json"]);
  assert.equal(byCommit.get(A)!.sizeOnDisk, size(CONFIG) + size(W_A) + size(TOK));
  assert.equal(info.sizeOnDisk, repo.sizeOnDisk + size(CONFIG) * 0 + info.repos.filter((r) => r !== repo).reduce((s, r) => s + r.sizeOnDisk, 0));
  assert.equal(info.incompleteFiles.length, 1);
  assert.equal(info.incompleteFiles[0]!.size, 1234);
  assert.equal(info.repos.find((r) => r.repoId === "org/norefs")!.revisions.length, 1, "a repo without refs/ is fine");
});

test("corrupt entries become warnings and the scan goes on; links out of the cache are never followed", async (t) => {
  const root = tempDir(t);
  const cache = path.join(root, "hub");
  buildCache(cache);
  fs.mkdirSync(path.join(cache, "junk"));
  fs.mkdirSync(path.join(cache, "widgets--org--x", "snapshots"), { recursive: true });
  const broken = cacheRepoDir(cache, "org/broken");
  fs.mkdirSync(path.join(broken, "snapshots", A), { recursive: true });
  fs.symlinkSync("../../blobs/missing", path.join(broken, "snapshots", A, "model.safetensors"));
  const dangling = cacheRepoDir(cache, "org/dangling");
  fs.mkdirSync(path.join(dangling, "snapshots", A), { recursive: true });
  fs.mkdirSync(path.join(dangling, "refs"), { recursive: true });
  fs.writeFileSync(path.join(dangling, "refs", "main"), B);
  const outside = path.join(root, "secret.bin");
  fs.writeFileSync(outside, "do not touch");
  fs.symlinkSync(outside, path.join(cacheRepoDir(cache, "org/model"), "snapshots", A, "evil.bin"));

  const info = await scanHfCache(cache);
  const w = info.warnings.join("\n");
  assert.match(w, /Repo path is not a valid HuggingFace cache directory: .*junk/);
  assert.match(w, /Repo type must be `dataset`, `model` or `space`, found `widget`/);
  assert.match(w, /Blob missing \(broken symlink\): .*models--org--broken\/blobs\/missing/);
  assert.match(w, new RegExp(`Reference\\(s\\) refer to missing commit hashes: .*${B}.*main`));
  assert.match(w, /evil\.bin links outside/);
  assert.ok(info.repos.some((r) => r.repoId === "org/model"), "the good repo is still listed");

  // deleting the revision that holds the outside link removes the link, never its target
  const { revisions } = resolveHfTargets(info, ["org/model@main"]);
  await executeHfCacheDelete(planHfCacheDelete(info, revisions));
  assert.equal(fs.readFileSync(outside, "utf8"), "do not touch");
});

test("deleting one revision keeps blobs other revisions use, removes its nested ref and empty ref folders", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  const { blobOf } = buildCache(cache);
  const info = await scanHfCache(cache);
  const { revisions, warnings } = resolveHfTargets(info, ["org/model@refs/pr/1"]);
  assert.deepEqual(warnings, []);
  const plan = planHfCacheDelete(info, revisions);
  assert.equal(plan.repos.length, 0);
  assert.deepEqual(plan.blobs.map((b) => b.path), [blobOf("org/model", W_B)]);
  assert.equal(plan.expectedFreedSize, Buffer.byteLength(W_B));
  assert.deepEqual(plan.sharedBlobs, [blobOf("org/model", CONFIG)]);

  const res = await executeHfCacheDelete(plan);
  const dir = cacheRepoDir(cache, "org/model");
  assert.equal(res.freedBytes, Buffer.byteLength(W_B));
  assert.equal(fs.existsSync(path.join(dir, "snapshots", B)), false);
  assert.equal(fs.existsSync(path.join(dir, "refs", "refs")), false, "refs/refs/pr/ pruned");
  assert.equal(fs.existsSync(blobOf("org/model", W_B)), false);
  assert.equal(fs.existsSync(blobOf("org/model", CONFIG)), true);
  assert.ok(res.keptBlobs.some((k) => k.includes(sha256Hex(CONFIG)) && k.includes("used by another revision")));
  const after = await scanHfCache(cache);
  assert.deepEqual(after.warnings, []);
  assert.deepEqual(after.repos.find((r) => r.repoId === "org/model")!.revisions.map((r) => r.commitHash).sort(), [A, C].sort());
  assert.equal(fs.readFileSync(path.join(dir, "snapshots", C, "model.safetensors"), "utf8"), W_A);
});

test("deleting every revision removes the repo folder unless a download is writing into it", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  buildCache(cache);
  const dir = cacheRepoDir(cache, "org/model");
  const info = await scanHfCache(cache);
  const dry = planHfCacheDelete(info, resolveHfTargets(info, ["org/model"]).revisions);
  assert.equal(dry.repos.length, 1);
  assert.equal(dry.expectedFreedSize, info.repos.find((r) => r.repoId === "org/model")!.sizeOnDisk);
  assert.ok(fs.existsSync(dir), "planning deletes nothing");

  // a fresh .incomplete (a running download) survives; the revisions go
  const partial = path.join(dir, "blobs", `${"e".repeat(64)}.incomplete`);
  fs.writeFileSync(partial, Buffer.alloc(10));
  const res = await executeHfCacheDelete(planHfCacheDelete(info, resolveHfTargets(info, ["org/model"]).revisions));
  assert.ok(fs.existsSync(partial));
  assert.ok(res.keptBlobs.some((k) => k.includes("download in progress")));
  assert.deepEqual(fs.readdirSync(path.join(dir, "snapshots")), []);
  assert.deepEqual(fs.readdirSync(path.join(dir, "blobs")), [path.basename(partial)]);

  // once stale, the next delete takes the whole folder
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(partial, old, old);
  fs.mkdirSync(path.join(dir, "snapshots", A));
  const again = await scanHfCache(cache);
  await executeHfCacheDelete(planHfCacheDelete(again, resolveHfTargets(again, ["org/model"]).revisions));
  assert.equal(fs.existsSync(dir), false);
  assert.ok(fs.existsSync(cacheRepoDir(cache, "org/norefs")), "other repos untouched");
});

test("a blob whose lock another holder has: a delete refuses and removes nothing; a prune keeps it and says why", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  const { blobOf } = buildCache(cache);
  // Another holder: its own open file with flock(2) on it, as huggingface_hub's filelock or another cortexd has.
  const lock = path.join(cache, ".locks", "models--org--model", `${sha256Hex(W_B)}.lock`);
  const release = tryBlobLock(lock)!;
  t.after(release);
  const info = await scanHfCache(cache);
  const plan = planHfCacheDelete(info, resolveHfTargets(info, [`org/model@${B.slice(0, 10)}`]).revisions);
  await assert.rejects(executeHfCacheDelete(plan), (e: unknown) => isCortexError(e) && e.code === "REG_IN_USE" && e.message.includes(sha256Hex(W_B)));
  assert.ok(fs.existsSync(blobOf("org/model", W_B)));
  assert.ok(fs.existsSync(path.join(cacheRepoDir(cache, "org/model"), "snapshots", B)), "refused before anything was removed");
  const res = await executeHfCacheDelete(plan, { onLocked: "skip" });
  assert.ok(fs.existsSync(blobOf("org/model", W_B)));
  assert.ok(res.keptBlobs.some((k) => k.includes("locked by a running download")));
  assert.ok(fs.existsSync(lock), "the holder's lock file is untouched");
});

test("prune removes detached revisions and stale .incomplete files only; unknown targets are NOT_FOUND", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  const { blobOf } = buildCache(cache);
  const dir = cacheRepoDir(cache, "org/model");
  const stale = path.join(dir, "blobs", `${"d".repeat(64)}.incomplete`);
  const fresh = path.join(dir, "blobs", `${"c".repeat(64)}.incomplete`);
  fs.writeFileSync(stale, Buffer.alloc(100));
  fs.writeFileSync(fresh, Buffer.alloc(7));
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(stale, old, old);
  const info = await scanHfCache(cache);
  const plan = planHfCachePrune(info);
  assert.deepEqual(plan.snapshots, [path.join(dir, "snapshots", C)]);
  assert.deepEqual(plan.repos.map((r) => r.repoId), ["org/norefs"], "a repo without refs has only detached revisions");
  assert.deepEqual(plan.blobs, [], "C's blobs are all shared with A");
  assert.deepEqual(plan.incomplete, [stale]);
  const res = await executeHfCacheDelete(plan);
  assert.equal(res.freedBytes, 100 + Buffer.byteLength(CONFIG));
  assert.equal(fs.existsSync(cacheRepoDir(cache, "org/norefs")), false);
  assert.equal(fs.existsSync(path.join(dir, "snapshots", C)), false);
  assert.ok(fs.existsSync(blobOf("org/model", W_A)));
  assert.ok(fs.existsSync(fresh));

  assert.throws(() => resolveHfTargets(info, ["org/nope", "org/model@nobranch"]), (err: Error & { code?: string }) => err.code === "REG_NOT_FOUND" && /org\/nope/.test(err.message) && /nobranch/.test(err.message));
});

test("no-symlink snapshots (real files) go with their snapshot; a repo blob linking into the shared xet store is unlinked, never its target", async (t) => {
  const cache = path.join(tempDir(t), "hub");
  // org/copied: Windows-style real files in snapshots, two revisions
  const copied = cacheRepoDir(cache, "org/copied");
  for (const c of [A, B]) {
    fs.mkdirSync(path.join(copied, "snapshots", c), { recursive: true });
    fs.writeFileSync(path.join(copied, "snapshots", c, "model.safetensors"), c === A ? W_A : W_B);
  }
  fs.mkdirSync(path.join(copied, "refs"), { recursive: true });
  fs.writeFileSync(path.join(copied, "refs", "main"), A);
  // org/xet: blobs/<etag> is itself a link into <cache>/blobs/<prefix>/<hash>, shared with org/xet2
  const store = path.join(cache, "blobs", "ab");
  fs.mkdirSync(store, { recursive: true });
  fs.writeFileSync(path.join(store, "abcdef"), W_A);
  for (const repo of ["org/xet", "org/xet2"]) {
    const dir = cacheRepoDir(cache, repo);
    fs.mkdirSync(path.join(dir, "blobs"), { recursive: true });
    fs.symlinkSync("../../blobs/ab/abcdef", path.join(dir, "blobs", sha256Hex(W_A)));
    fs.mkdirSync(path.join(dir, "snapshots", A), { recursive: true });
    fs.symlinkSync(`../../blobs/${sha256Hex(W_A)}`, path.join(dir, "snapshots", A, "model.safetensors"));
  }
  const info = await scanHfCache(cache);
  assert.deepEqual(info.warnings, []);
  assert.equal(info.sizeOnDisk, Buffer.byteLength(W_A) * 2 + Buffer.byteLength(W_B), "the shared store blob counts once");
  const plan = planHfCacheDelete(info, resolveHfTargets(info, ["org/copied@" + B.slice(0, 8)]).revisions);
  assert.deepEqual(plan.blobs, []);
  assert.equal(plan.expectedFreedSize, Buffer.byteLength(W_B));
  const res = await executeHfCacheDelete(plan);
  assert.equal(res.freedBytes, Buffer.byteLength(W_B));
  assert.equal(fs.existsSync(path.join(copied, "snapshots", B)), false);
  assert.ok(fs.existsSync(path.join(copied, "snapshots", A, "model.safetensors")));

  const again = await scanHfCache(cache);
  await executeHfCacheDelete(planHfCacheDelete(again, resolveHfTargets(again, ["org/xet"]).revisions));
  assert.equal(fs.existsSync(cacheRepoDir(cache, "org/xet")), false);
  assert.equal(fs.readFileSync(path.join(store, "abcdef"), "utf8"), W_A, "the shared store keeps its blob");
  assert.equal(fs.readFileSync(path.join(cacheRepoDir(cache, "org/xet2"), "snapshots", A, "model.safetensors"), "utf8"), W_A);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { snapshotDownload, type SnapshotOptions, type SnapshotProgress } from "../../src/hub/snapshot-download.js";
import { tempDir } from "../helpers/temp-dir.js";
import { gitSha1, heldLocks, hubErr, MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";
import { OTHER_TOKEN, TEST_TOKEN, type LoopbackHub } from "./loopback-hub.js";

const BIG = "model.safetensors";
const pull = (hub: LoopbackHub, cacheDir: string, extra: Partial<SnapshotOptions> = {}) => snapshotDownload({ repo: "org/model", revision: "main", cacheDir, hubUrl: hub.url, ...extra });
const repoDir = (cache: string, repo = "org/model") => path.join(cache, `models--${repo.replace("/", "--")}`);
const leftovers = (cache: string) => fs.readdirSync(path.join(repoDir(cache), "blobs")).filter((f) => !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(f));

test("pulls into the HF cache layout: blobs by etag, relative snapshot symlinks, refs/main; a second pull is served from the cache", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(3 * MiB) });
  const cache = tempDir(t);
  const events: SnapshotProgress[] = [];
  const r = await pull(hub, cache, { onProgress: (p) => events.push(p) });
  const commit = hub.commitOf("org/model");
  const files = hub.repos["org/model"]!.files;
  assert.equal(r.commit, commit);
  assert.equal(fs.readFileSync(path.join(repoDir(cache), "refs", "main"), "utf8"), commit, "the commit, no newline");
  assert.equal(r.snapshotPath, path.join(repoDir(cache), "snapshots", commit));
  assert.equal(fs.readlinkSync(path.join(r.snapshotPath, BIG)), `../../blobs/${sha256(files[BIG]!.data)}`);
  assert.equal(fs.readlinkSync(path.join(r.snapshotPath, "config.json")), `../../blobs/${gitSha1(files["config.json"]!.data)}`);
  assert.equal(fs.readlinkSync(path.join(r.snapshotPath, "tokenizer", "tokenizer.json")), `../../../blobs/${gitSha1(files["tokenizer/tokenizer.json"]!.data)}`);
  for (const [p, f] of Object.entries(files)) assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, p)), f.data, p);
  assert.deepEqual(
    r.files.map((f) => [f.path, f.size, f.sha256]),
    Object.entries(files).map(([p, f]) => [p, f.data.length, sha256(f.data)]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
  );
  assert.deepEqual(leftovers(cache), [], "no partial files or sidecars");
  assert.deepEqual(heldLocks(cache), [], "locks released");
  const last = events.at(-1)!;
  assert.equal(last.doneBytes, last.totalBytes);
  assert.equal(last.filesDone, 4);
  assert.equal(r.fromCache, false);

  const served = hub.served.length;
  const again = await pull(hub, cache);
  assert.equal(again.fromCache, true);
  assert.equal(hub.served.length, served, "no file bytes fetched again");
  assert.deepEqual(again.files, r.files);
});

test("include/exclude select files with fnmatch; named files are looked up in the listing; no match is HUB_NOT_FOUND", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(2 * MiB) });
  const cache = tempDir(t);
  const r = await pull(hub, cache, { include: ["*.json"], exclude: ["tokenizer/*"] });
  assert.deepEqual(r.files.map((f) => f.path), ["config.json"]);
  assert.equal(hub.bytesServed(BIG), 0);
  assert.deepEqual(fs.readdirSync(r.snapshotPath), ["config.json"]);

  const before = hub.requests.length;
  const named = await pull(hub, tempDir(t), { include: ["tokenizer/tokenizer.json", "README.md"] });
  assert.deepEqual(named.files.map((f) => f.path), ["README.md", "tokenizer/tokenizer.json"]);
  const used = hub.requests.slice(before).map((q) => new URL(q.url).pathname);
  assert.ok(used.some((p) => p.includes("/tree/")), `the whole revision is listed (trees/<commit>.json): ${used.join(" ")}`);

  await assert.rejects(pull(hub, tempDir(t), { include: ["config.json", "nope.gguf"] }), hubErr("HUB_NOT_FOUND", /file nope\.gguf not found in org\/model@/));
  await assert.rejects(pull(hub, tempDir(t), { include: ["*.gguf"] }), hubErr("HUB_NOT_FOUND", /no files of org\/model@main match .*\*\.gguf/));
});

test("revision by branch, tag, refs/pr/N and commit: the right tree, refs/<name> written, a commit writes no ref", async (t) => {
  const C1 = "c".repeat(40);
  const C2 = "d".repeat(40);
  const dev = { "config.json": { data: Buffer.from('{"dev":true}\n') }, [BIG]: { data: Buffer.from("dev weights"), lfs: true } };
  const hub = await startHub(t, { "org/model": modelRepo(MiB, { commit: C1, refs: { dev: C2, "v1.0": C1, "refs/pr/1": C2 }, commits: { [C2]: dev } }) });
  const cache = tempDir(t);
  const d = await pull(hub, cache, { revision: "dev" });
  assert.equal(d.commit, C2);
  assert.deepEqual(d.files.map((f) => f.path), ["config.json", BIG]);
  assert.equal(fs.readFileSync(path.join(d.snapshotPath, "config.json"), "utf8"), '{"dev":true}\n');
  assert.equal(fs.readFileSync(path.join(repoDir(cache), "refs", "dev"), "utf8"), C2);
  const tag = await pull(hub, cache, { revision: "v1.0" });
  assert.equal(tag.commit, C1);
  assert.equal(tag.files.length, 4);
  assert.equal(fs.readFileSync(path.join(repoDir(cache), "refs", "v1.0"), "utf8"), C1);
  const pr = await pull(hub, cache, { revision: "refs/pr/1" });
  assert.equal(pr.commit, C2);
  assert.equal(fs.readFileSync(path.join(repoDir(cache), "refs", "refs", "pr", "1"), "utf8"), C2);
  const shaCache = tempDir(t);
  const bySha = await pull(hub, shaCache, { revision: C2 });
  assert.equal(bySha.commit, C2);
  assert.equal(bySha.snapshotPath, path.join(repoDir(shaCache), "snapshots", C2));
  assert.equal(fs.existsSync(path.join(repoDir(shaCache), "refs")), false, "a commit is not a ref");
  await assert.rejects(pull(hub, cache, { revision: "nope" }), hubErr("HUB_NOT_FOUND", /revision nope not found in org\/model/));
  await assert.rejects(pull(hub, cache, { revision: "../x" }), hubErr("REQ_INVALID_ARGUMENT", /invalid revision "\.\.\/x"/));
  await assert.rejects(pull(hub, cache, { repo: "../../etc" }), hubErr("REQ_INVALID_ARGUMENT", /"\.\.\/\.\.\/etc"/));
});

test("resume after an abort mid-file re-fetches at most one part, through a dropped connection and a stall", async (t) => {
  const size = 64 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  hub.faults.set(BIG, { throttle: 24 * MiB });
  const cache = tempDir(t);
  const ac = new AbortController();
  const opts = { partsPerFile: 4, minPartBytes: MiB }; // 16 MiB parts
  await assert.rejects(pull(hub, cache, { ...opts, signal: ac.signal, onProgress: (p) => p.doneBytes > 30 * MiB && ac.abort(new Error("crash")) }), /crash/);
  assert.ok(leftovers(cache).some((f) => f.endsWith(".incomplete")), "partial file kept");
  assert.equal(fs.existsSync(path.join(repoDir(cache), "snapshots", hub.commitOf("org/model"), BIG)), false, "not in snapshots/ before it is complete");
  const before = hub.bytesServed(BIG);
  hub.faults.set(BIG, { dropAfter: { bytes: MiB, times: 1 }, stallAfter: { bytes: MiB, times: 1 } });
  const r = await pull(hub, cache, { ...opts, stallMs: 1000 });
  assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, BIG)), hub.repos["org/model"]!.files[BIG]!.data);
  assert.equal(hub.faults.get(BIG)!.dropAfter!.times, 0, "the drop happened");
  assert.equal(hub.faults.get(BIG)!.stallAfter!.times, 0, "the stall happened");
  const refetched = hub.bytesServed(BIG) - size;
  t.diagnostic(`served before abort ${(before / MiB).toFixed(1)} MiB; re-fetched after resume ${(refetched / MiB).toFixed(2)} MiB (faults cost ≤ 2 MiB); one part = 16 MiB`);
  assert.ok(before > 28 * MiB);
  // One part for the abort, plus what the injected drop and stall cost on a loaded machine.
  assert.ok(refetched <= 20 * MiB, `re-fetched ${(refetched / MiB).toFixed(1)} MiB`);
  assert.deepEqual(leftovers(cache), []);
});

test("corrupted bytes: HUB_INTEGRITY after the retry, the file never appears in snapshots/, no partial left", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(4 * MiB) });
  hub.faults.set(BIG, { corrupt: { times: 100 } });
  const cache = tempDir(t);
  await assert.rejects(pull(hub, cache, { include: [BIG], maxIntegrityRetries: 2 }), hubErr("HUB_INTEGRITY", /org\/model\/model\.safetensors: sha256 [0-9a-f]{64} ≠ expected/));
  assert.equal(hub.stats(BIG).requests, 3 * 2, "three whole-file attempts (resolve + CDN each)");
  const snap = path.join(repoDir(cache), "snapshots", hub.commitOf("org/model"));
  assert.deepEqual(fs.readdirSync(snap), []);
  assert.deepEqual(fs.readdirSync(path.join(repoDir(cache), "blobs")), []);
});

test("cancel via AbortSignal returns within 2 s; partial files stay unless removePartialOnAbort", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(32 * MiB) });
  hub.faults.set(BIG, { throttle: 2 * MiB });
  for (const removePartialOnAbort of [false, true]) {
    const cache = tempDir(t);
    const ac = new AbortController();
    const p = pull(hub, cache, { signal: ac.signal, removePartialOnAbort, partsPerFile: 2, minPartBytes: MiB });
    await new Promise((r) => setTimeout(r, 600));
    const t0 = Date.now();
    ac.abort(new Error("cancelled by user"));
    await assert.rejects(p, /cancelled by user/);
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
    assert.equal(leftovers(cache).some((f) => f.endsWith(".incomplete")), !removePartialOnAbort);
  }
});

test("offline mode answers from the cache without a request, or names what is missing", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(8 * MiB) });
  const cache = tempDir(t);
  const offline = (extra: Partial<SnapshotOptions> = {}) => snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: "http://127.0.0.1:9", offline: true, ...extra });
  await assert.rejects(offline(), hubErr("HUB_OFFLINE", /org\/model@main is not in the cache .*no refs\/main/));

  // an interrupted pull: the small files made it, the weights did not
  hub.faults.set(BIG, { throttle: 8 * MiB });
  const ac = new AbortController();
  await assert.rejects(pull(hub, cache, { signal: ac.signal, onProgress: (p) => p.filesDone >= 3 && ac.abort(new Error("stop")) }), /stop/);
  await assert.rejects(offline(), hubErr("HUB_OFFLINE", /1 file\(s\) of org\/model@main are not in the cache: model\.safetensors/));
  const partial = await offline({ include: ["*.json"] });
  assert.deepEqual(partial.files.map((f) => f.path), ["config.json", "tokenizer/tokenizer.json"]);

  hub.faults.delete(BIG);
  const online = await pull(hub, cache);
  const n = hub.requests.length;
  const r = await offline();
  assert.equal(hub.requests.length, n, "offline makes no request");
  assert.deepEqual(r.files, online.files);
  assert.equal((await offline({ revision: online.commit })).commit, online.commit);
  await assert.rejects(offline({ revision: "dev" }), hubErr("HUB_OFFLINE", /org\/model@dev/));
  await assert.rejects(offline({ include: ["nope.bin"] }), hubErr("HUB_OFFLINE", /not in the cache: nope\.bin/));

  // a cache written by older Python tools (no trees/<commit>.json): a link whose blob is gone is named
  fs.rmSync(path.join(repoDir(cache), "trees"), { recursive: true });
  fs.rmSync(path.join(repoDir(cache), "blobs", sha256(hub.repos["org/model"]!.files[BIG]!.data)));
  await assert.rejects(offline(), hubErr("HUB_OFFLINE", /not in the cache: model\.safetensors/));
});

test("missing, private and gated repos give typed errors naming the repo; the token stays with the Hub and out of messages", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(MiB), "org/private": modelRepo(MiB, { private: true }), "org/gated": modelRepo(MiB, { gated: true }) }, { cdnOnOtherOrigin: true });
  const cache = tempDir(t);
  const p = (repo: string, extra: Partial<SnapshotOptions> = {}) => pull(hub, cache, { repo, ...extra });
  await assert.rejects(p("org/missing"), hubErr("HUB_NOT_FOUND", /repo org\/missing not found/));
  await assert.rejects(p("org/missing", { token: TEST_TOKEN }), hubErr("HUB_NOT_FOUND", /org\/missing/));
  await assert.rejects(p("org/private"), hubErr("HUB_UNAUTHENTICATED", /org\/private .*set HF_TOKEN/));
  await assert.rejects(p("org/private", { token: OTHER_TOKEN }), hubErr("HUB_NOT_FOUND", /org\/private/));
  await assert.rejects(p("org/gated"), hubErr("HUB_GATED", /org\/gated is gated: request access/));
  await assert.rejects(p("org/gated", { token: OTHER_TOKEN }), hubErr("HUB_GATED", /org\/gated is gated/));
  await assert.rejects(p("org/model", { token: "hf_invalid_token_xyz" }), hubErr("HUB_UNAUTHENTICATED", /token/));
  assert.equal(fs.existsSync(repoDir(cache, "org/gated")), false, "a gated repo fails before touching the cache");

  const ok = await p("org/private", { token: TEST_TOKEN });
  assert.equal(ok.files.length, 4);
  const g = await p("org/gated", { token: TEST_TOKEN });
  assert.equal(g.files.length, 4);
  const cdn = hub.requests.filter((r) => r.host === "cdn");
  assert.ok(cdn.length >= 2, "LFS bytes came from the other host");
  assert.ok(cdn.every((r) => r.headers.authorization === undefined), "the token is not forwarded to another host after a redirect");
  assert.ok(hub.requests.filter((r) => r.host === "hub" && r.file).some((r) => r.authorization === `Bearer ${TEST_TOKEN}`));
});

test("no more files download at once than maxConcurrentFiles", async (t) => {
  const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`shard-${i}.bin`, { data: Buffer.alloc(MiB, i), lfs: true }]));
  const hub = await startHub(t, { "org/model": { files } });
  for (const name of Object.keys(files)) hub.faults.set(name, { throttle: 4 * MiB });
  let most = 0;
  const r = await pull(hub, tempDir(t), { maxConcurrentFiles: 2, progressIntervalMs: 0, onProgress: (p) => (most = Math.max(most, p.active.length)) });
  assert.equal(r.files.length, 6);
  assert.equal(most, 2);
});

test("concurrent pulls of the same repo@commit in one process share blobs without corrupting them", async (t) => {
  const size = 24 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  hub.faults.set(BIG, { throttle: 48 * MiB });
  const cache = tempDir(t);
  const commit = hub.commitOf("org/model");
  const results = await Promise.all([pull(hub, cache), pull(hub, cache, { revision: commit }), pull(hub, cache, { include: [BIG] })]);
  for (const r of results) assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, BIG)), hub.repos["org/model"]!.files[BIG]!.data);
  assert.ok(hub.bytesServed(BIG) <= size, `the weights were fetched once (${hub.bytesServed(BIG)} bytes served)`);
  assert.deepEqual(leftovers(cache), []);
  assert.deepEqual(heldLocks(cache), []);
});

test("a hostile listing cannot write outside the cache: FMT_INVALID naming the path, nothing written", async (t) => {
  for (const bad of ["../../evil.txt", "/etc/passwd", "sub/../../x", "a\\b", "./x"]) {
    const hub = await startHub(t, { "org/evil": { files: { "config.json": { data: Buffer.from("{}") } }, extraEntries: [{ type: "file", path: bad, oid: "a".repeat(40), size: 3 }] } });
    const cache = tempDir(t);
    await assert.rejects(pull(hub, cache, { repo: "org/evil" }), hubErr("FMT_INVALID", new RegExp(`unsafe file path ${JSON.stringify(bad).replace(/[.*?\\\\/]/g, "\\$&")}`)));
    assert.deepEqual(fs.readdirSync(cache), [], bad);
  }
});

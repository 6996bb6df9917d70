import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { snapshotDownload } from "../../src/hub/snapshot-download.js";
import { filterPaths } from "../../src/hub/glob-match.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub, randomBytes, TEST_TOKEN, type HubRepo } from "./loopback-hub.js";

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

function modelRepo(bigBytes = 3 * MiB): HubRepo {
  return {
    files: {
      "config.json": { data: Buffer.from('{"architectures":["LlamaForCausalLM"]}\n') },
      "tokenizer/tokenizer.json": { data: Buffer.from('{"model":{}}\n') },
      "model.safetensors": { data: randomBytes(bigBytes), lfs: true },
      "README.md": { data: Buffer.from("# hi\n") },
    },
  };
}

async function hubWith(t: { after: (fn: () => Promise<void>) => void }, repos: Record<string, HubRepo>, opts = {}) {
  const hub = await LoopbackHub.start(repos, opts);
  t.after(() => hub.close());
  return hub;
}

test("pulls a repo into the HF cache layout: blobs, relative snapshot symlinks, refs; verified hashes", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo() });
  const cache = tempDir(t);
  const events: number[] = [];
  const r = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, onProgress: (p) => events.push(p.doneBytes) });
  const commit = hub.commitOf("org/model");
  assert.equal(r.commit, commit);
  const repoDir = path.join(cache, "models--org--model");
  assert.equal(fs.readFileSync(path.join(repoDir, "refs", "main"), "utf8"), commit);
  assert.equal(r.snapshotPath, path.join(repoDir, "snapshots", commit));
  const big = hub.repos["org/model"]!.files["model.safetensors"]!.data;
  const link = fs.readlinkSync(path.join(r.snapshotPath, "model.safetensors"));
  assert.equal(link, `../../blobs/${sha256(big)}`);
  assert.equal(fs.readlinkSync(path.join(r.snapshotPath, "tokenizer", "tokenizer.json")).startsWith("../../../blobs/"), true);
  assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, "model.safetensors")), big);
  assert.equal(r.files.find((f) => f.path === "model.safetensors")?.sha256, sha256(big));
  assert.equal(r.files.length, 4);
  assert.equal(fs.readdirSync(path.join(repoDir, "blobs")).filter((f) => f.includes("incomplete")).length, 0);
  assert.ok(events.length > 0 && events.at(-1)! >= big.length);

  // a second pull is answered from the cache without fetching file bodies
  const servedBefore = hub.served.length;
  const again = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url });
  assert.equal(again.fromCache, true);
  assert.equal(hub.served.length, servedBefore);
});

test("include/exclude follow fnmatch like huggingface_hub's allow/ignore patterns", async (t) => {
  assert.deepEqual(filterPaths(["a.json", "sub/b.json", "m.safetensors", "x.bin"], ["*.json"], []), ["a.json", "sub/b.json"]);
  assert.deepEqual(filterPaths(["a.json", "sub/b.json", "m.safetensors"], [], ["sub/"]), ["a.json", "m.safetensors"]);
  const hub = await hubWith(t, { "org/model": modelRepo() });
  const cache = tempDir(t);
  const r = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, include: ["*.json"], exclude: ["tokenizer/*"] });
  assert.deepEqual(r.files.map((f) => f.path), ["config.json"]);
  assert.equal(hub.bytesServed("model.safetensors"), 0);
});

test("resume after an abort mid-file re-fetches at most one part; a dropped connection and a stall are recovered", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo(96 * MiB) });
  hub.faults.set("model.safetensors", { throttle: 64 * MiB });
  const cache = tempDir(t);
  const ac = new AbortController();
  let seen = 0;
  await assert.rejects(
    snapshotDownload({
      repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, partsPerFile: 4, signal: ac.signal,
      onProgress: (p) => {
        seen = p.doneBytes;
        if (p.file === "model.safetensors" && (p.fileDone ?? 0) > 40 * MiB) ac.abort(new Error("simulated crash"));
      },
    }),
  );
  const blobs = path.join(cache, "models--org--model", "blobs");
  assert.ok(fs.readdirSync(blobs).some((f) => f.endsWith(".incomplete")), "partial file kept for resume");
  const before = hub.bytesServed("model.safetensors");
  await new Promise((r) => setTimeout(r, 600)); // let the sidecar's last save land
  hub.faults.set("model.safetensors", { dropAfter: { bytes: 2 * MiB, times: 2 }, stallAfter: { bytes: MiB, times: 1 } });
  const r = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, partsPerFile: 4, stallMs: 2000 });
  const big = hub.repos["org/model"]!.files["model.safetensors"]!.data;
  assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, "model.safetensors")), big);
  const total = hub.bytesServed("model.safetensors");
  const refetched = total - big.length;
  assert.ok(before > 30 * MiB && seen > 0);
  assert.ok(refetched <= 24 * MiB + 5 * MiB, `re-fetched ${(refetched / MiB).toFixed(1)} MiB (one part is 24 MiB; faults add ≤ 5 MiB)`);
});

test("corrupted bytes are caught: retried once, then HUB_INTEGRITY and nothing in snapshots/", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo() });
  const cache = tempDir(t);
  hub.faults.set("model.safetensors", { corrupt: { times: 1 } });
  const ok = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url });
  assert.equal(sha256(fs.readFileSync(path.join(ok.snapshotPath, "model.safetensors"))), sha256(hub.repos["org/model"]!.files["model.safetensors"]!.data));

  const cache2 = tempDir(t);
  hub.faults.set("model.safetensors", { corrupt: { times: 5 } });
  await assert.rejects(snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache2, hubUrl: hub.url }), (e: Error & { code?: string }) => {
    assert.equal(e.code, "HUB_INTEGRITY");
    assert.match(e.message, /org\/model\/model\.safetensors: sha256 [0-9a-f]{64} ≠ expected/);
    return true;
  });
  const snap = path.join(cache2, "models--org--model", "snapshots", hub.commitOf("org/model"));
  assert.equal(fs.existsSync(path.join(snap, "model.safetensors")), false);
  assert.equal(fs.readdirSync(path.join(cache2, "models--org--model", "blobs")).filter((f) => f.includes("incomplete")).length, 0);
});

test("cancel via AbortSignal stops within 2 s", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo(64 * MiB) });
  hub.faults.set("model.safetensors", { throttle: 4 * MiB });
  const ac = new AbortController();
  const p = snapshotDownload({ repo: "org/model", revision: "main", cacheDir: tempDir(t), hubUrl: hub.url, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 700));
  const t0 = Date.now();
  ac.abort(new Error("cancelled"));
  await assert.rejects(p);
  assert.ok(Date.now() - t0 < 2000);
});

test("missing repo, revision and gated/private repos give typed errors naming the repo; the token never leaks", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo(), "org/private": { ...modelRepo(), private: true }, "org/gated": { ...modelRepo(), gated: true } }, { cdnOnOtherOrigin: true });
  const cache = tempDir(t);
  const pull = (repo: string, extra: object = {}) => snapshotDownload({ repo, revision: "main", cacheDir: cache, hubUrl: hub.url, ...extra });
  const code = (c: string, re: RegExp) => (e: Error & { code?: string }) => {
    assert.equal(e.code, c, e.message);
    assert.match(e.message, re);
    assert.ok(!e.message.includes(TEST_TOKEN));
    return true;
  };
  await assert.rejects(pull("org/missing"), code("HUB_NOT_FOUND", /org\/missing/));
  await assert.rejects(pull("org/model", { revision: "nope" }), code("HUB_NOT_FOUND", /revision not found in org\/model/));
  await assert.rejects(pull("org/private"), code("HUB_UNAUTHENTICATED", /org\/private .*set HF_TOKEN/));
  await assert.rejects(pull("org/gated"), code("HUB_GATED", /org\/gated is gated/));
  await assert.rejects(pull("org/gated", { token: "hf_wrong" }), code("HUB_GATED", /org\/gated/));
  const ok = await pull("org/private", { token: TEST_TOKEN });
  assert.equal(ok.files.length, 4);
  const cdnRequests = hub.requests.filter((r) => r.url.startsWith(hub.cdnUrl));
  assert.ok(cdnRequests.length > 0, "LFS bytes came from the other origin");
  assert.ok(cdnRequests.every((r) => !r.authorization), "the token is not sent to another host after a redirect");
  assert.ok(hub.requests.some((r) => r.host === "hub" && r.authorization === `Bearer ${TEST_TOKEN}`));
});

test("offline mode answers from the cache or says what is missing", async (t) => {
  const hub = await hubWith(t, { "org/model": modelRepo() });
  const cache = tempDir(t);
  await assert.rejects(snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, offline: true }), (e: Error & { code?: string }) => e.code === "HUB_OFFLINE" && /org\/model@main is not in the cache/.test(e.message));
  await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url });
  const n = hub.requests.length;
  const r = await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: cache, hubUrl: "http://127.0.0.1:9", offline: true, include: ["*.json"] });
  assert.equal(hub.requests.length, n, "no request in offline mode");
  assert.deepEqual(r.files.map((f) => f.path), ["config.json", "tokenizer/tokenizer.json"]);
});

test("a hostile listing cannot write outside the cache", async (t) => {
  for (const bad of ["../../evil.txt", "/etc/passwd", "sub/../../x", "a\\b"]) {
    const hub = await hubWith(t, { "org/evil": { files: { "config.json": { data: Buffer.from("{}") } }, extraEntries: [{ type: "file", path: bad, oid: "a".repeat(40), size: 3 }] } });
    const cache = tempDir(t);
    await assert.rejects(snapshotDownload({ repo: "org/evil", revision: "main", cacheDir: cache, hubUrl: hub.url }), (e: Error & { code?: string }) => e.code === "FMT_INVALID" && e.message.includes("unsafe file path"));
    assert.equal(fs.existsSync(path.join(path.dirname(cache), "evil.txt")), false);
  }
});

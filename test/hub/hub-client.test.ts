import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { HubClient } from "../../src/hub/hub-client.js";
import { gitSha1, hubErr, MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";
import { OTHER_TOKEN, TEST_TOKEN } from "./loopback-hub.js";

const C1 = "1".repeat(40);
const C2 = "2".repeat(40);

test("revisions resolve to commits: main, HEAD, branch, tag, refs/pr/N, a commit; listings page through Link headers", async (t) => {
  const repo = modelRepo(MiB, { commit: C1, refs: { dev: C2, "v1.0": C1, "refs/pr/1": C2 } });
  const hub = await startHub(t, { "org/model": repo });
  const c = new HubClient({ repo: "org/model", hubUrl: hub.url });
  assert.equal(await c.resolveRevision("main"), C1);
  assert.equal(await c.resolveRevision("HEAD"), C1);
  assert.equal(await c.resolveRevision("dev"), C2);
  assert.equal(await c.resolveRevision("v1.0"), C1);
  assert.equal(await c.resolveRevision("refs/pr/1"), C2);
  assert.ok(hub.requests.some((r) => r.url.includes("/revision/refs%2Fpr%2F1")), "slashes in revisions are encoded");
  assert.equal(await c.resolveRevision(C2), C2);
  assert.deepEqual(await c.revisionInfo("main"), { commit: C1, private: false, gated: false });

  const files = await c.listFiles(C1);
  assert.deepEqual(files.map((f) => f.path).sort(), ["README.md", "config.json", "model.safetensors", "tokenizer/tokenizer.json"]);
  const big = files.find((f) => f.path === "model.safetensors")!;
  assert.deepEqual({ ...big, blobId: "" }, { path: "model.safetensors", size: MiB, etag: sha256(repo.files["model.safetensors"]!.data), lfs: true, blobId: "" });
  assert.match(big.blobId, /^[0-9a-f]{40}$/, "the LFS pointer's git oid (trees/<commit>.json's blob_id)");
  const cfg = files.find((f) => f.path === "config.json")!;
  assert.deepEqual(cfg, { path: "config.json", size: repo.files["config.json"]!.data.length, etag: gitSha1(repo.files["config.json"]!.data), lfs: false, blobId: gitSha1(repo.files["config.json"]!.data) });
  assert.ok(hub.requests.filter((r) => r.url.includes("/tree/")).length >= 3, "several pages were fetched");
  assert.deepEqual((await c.listFiles(C1, { path: "tokenizer" })).map((f) => f.path), ["tokenizer/tokenizer.json"]);
  assert.equal(await c.exists(), true);
  assert.equal(await new HubClient({ repo: "org/nope", hubUrl: hub.url }).exists(), false);
});

test("pathsInfo answers named files and names the missing ones; fileInfo reads size and etag from resolve", async (t) => {
  const repo = modelRepo(2 * MiB);
  const hub = await startHub(t, { "org/model": repo }, { cdnOnOtherOrigin: true });
  const c = new HubClient({ repo: "org/model", hubUrl: hub.url, token: TEST_TOKEN });
  const commit = hub.commitOf("org/model");
  const got = await c.pathsInfo(commit, ["model.safetensors", "config.json"]);
  assert.deepEqual(got.map((f) => [f.path, f.size, f.lfs]), [["model.safetensors", 2 * MiB, true], ["config.json", repo.files["config.json"]!.data.length, false]]);
  await assert.rejects(c.pathsInfo(commit, ["config.json", "nope.bin", "tokenizer"]), hubErr("HUB_NOT_FOUND", /files nope\.bin, tokenizer not found in org\/model@/));

  const lfs = await c.fileInfo(commit, "model.safetensors");
  assert.equal(lfs.size, 2 * MiB);
  assert.equal(lfs.etag, sha256(repo.files["model.safetensors"]!.data), "quotes stripped");
  const plain = await c.fileInfo("main", "tokenizer/tokenizer.json");
  assert.equal(plain.etag, gitSha1(repo.files["tokenizer/tokenizer.json"]!.data));
  await assert.rejects(c.fileInfo(commit, "missing.txt"), hubErr("HUB_NOT_FOUND", /file missing\.txt not found in org\/model@/));
  const cdn = hub.requests.filter((r) => r.host === "cdn");
  assert.ok(cdn.length > 0 && cdn.every((r) => r.headers.authorization === undefined), "no token at the other host");
});

test("missing, private, gated, disabled, bad token: typed errors naming the repo, never the token", async (t) => {
  const hub = await startHub(t, {
    "org/model": modelRepo(MiB),
    "org/private": modelRepo(MiB, { private: true }),
    "org/gated": modelRepo(MiB, { gated: true }),
    "org/disabled": modelRepo(MiB, { disabled: true }),
  });
  const client = (repo: string, token?: string) => new HubClient({ repo, hubUrl: hub.url, ...(token ? { token } : {}) });
  await assert.rejects(client("org/missing").resolveRevision("main"), hubErr("HUB_NOT_FOUND", /repo org\/missing not found/));
  await assert.rejects(client("org/missing", TEST_TOKEN).resolveRevision("main"), hubErr("HUB_NOT_FOUND", /org\/missing/));
  await assert.rejects(client("org/model").resolveRevision("nope"), hubErr("HUB_NOT_FOUND", /revision nope not found in org\/model/));
  await assert.rejects(client("org/private").resolveRevision("main"), hubErr("HUB_UNAUTHENTICATED", /org\/private .*set HF_TOKEN/));
  await assert.rejects(client("org/private", OTHER_TOKEN).resolveRevision("main"), hubErr("HUB_NOT_FOUND", /org\/private/));
  assert.equal((await client("org/private", TEST_TOKEN).revisionInfo("main")).private, true);
  await assert.rejects(client("org/model", "hf_invalid_token_xyz").resolveRevision("main"), hubErr("HUB_UNAUTHENTICATED", /rejected the configured token .*org\/model/));
  assert.throws(() => client("org/model", undefined).resolveUrl("main", "x") && new HubClient({ repo: "org/model", hubUrl: "ftp://x" }), hubErr("REQ_INVALID_ARGUMENT", /invalid Hub URL "ftp:\/\/x"/));
  assert.throws(() => new HubClient({ repo: "org/model", hubUrl: "not a url" }), hubErr("REQ_INVALID_ARGUMENT", /"not a url"/));
  await assert.rejects(client("org/disabled").resolveRevision("main"), hubErr("HUB_NOT_FOUND", /org\/disabled: access to this repo is disabled/));

  // A gated repo's metadata is public; its files are not.
  const gated = client("org/gated");
  const info = await gated.revisionInfo("main");
  assert.equal(info.gated, "manual");
  assert.equal((await gated.listFiles(info.commit)).length, 4);
  await assert.rejects(gated.fileInfo(info.commit, "config.json"), hubErr("HUB_GATED", /org\/gated is gated: request access .*set HF_TOKEN/));
  await assert.rejects(client("org/gated", OTHER_TOKEN).fileInfo(info.commit, "config.json"), hubErr("HUB_GATED", /org\/gated is gated.*not been granted/));
  assert.equal((await client("org/gated", TEST_TOKEN).fileInfo(info.commit, "config.json")).size > 0, true);
});

test("a renamed repo's relative redirect is followed with the token (same origin)", async (t) => {
  const hub = await startHub(t, { "org/new-name": modelRepo(MiB, { private: true }) }, { aliases: { "org/old-name": "org/new-name" } });
  const c = new HubClient({ repo: "org/old-name", hubUrl: hub.url, token: TEST_TOKEN });
  const commit = await c.resolveRevision("main");
  assert.equal(commit, hub.commitOf("org/new-name"));
  assert.equal((await c.listFiles(commit)).length, 4);
});

test("transient 5xx and 429 are retried; an unreachable Hub is HUB_UNAVAILABLE (retryable) naming the repo", async (t) => {
  let failures = 2;
  const flaky = http.createServer((req, res) => {
    if (failures-- > 0) {
      res.writeHead(failures === 1 ? 503 : 429, { "Retry-After": "0" });
      return void res.end();
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ _id: "x", id: "org/model", private: false, sha: C1 }));
  });
  await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => flaky.close(() => r())));
  const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  assert.equal(await new HubClient({ repo: "org/model", hubUrl: url }).resolveRevision("main"), C1);

  failures = 100;
  await assert.rejects(new HubClient({ repo: "org/model", hubUrl: url, retries: 1 }).resolveRevision("main"), hubErr("HUB_UNAVAILABLE", /org\/model/));
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(new HubClient({ repo: "org/model", hubUrl: deadUrl, token: TEST_TOKEN, retries: 1 }).resolveRevision("main"), (e: Error & { code?: string; retryable?: boolean }) => {
    hubErr("HUB_UNAVAILABLE", /cannot reach the Hub for org\/model .*ECONNREFUSED/)(e);
    assert.equal(e.retryable, true);
    return true;
  });
  await assert.rejects(new HubClient({ repo: "org/model", hubUrl: url, token: TEST_TOKEN, retries: 0 }).resolveRevision("main"), hubErr("HUB_UNAVAILABLE", /org\/model/));
});

test("a hostile listing is refused naming the path: .., absolute, backslash, odd oid, bad size", async (t) => {
  const cases: [object, RegExp][] = [
    [{ type: "file", path: "../../evil.txt", oid: "a".repeat(40), size: 3 }, /unsafe file path "\.\.\/\.\.\/evil\.txt"/],
    [{ type: "file", path: "/etc/passwd", oid: "a".repeat(40), size: 3 }, /unsafe file path "\/etc\/passwd"/],
    [{ type: "file", path: "sub/../../x", oid: "a".repeat(40), size: 3 }, /unsafe file path "sub\/\.\.\/\.\.\/x"/],
    [{ type: "file", path: "a\\..\\b", oid: "a".repeat(40), size: 3 }, /unsafe file path/],
    [{ type: "file", path: "C:/x", oid: "a".repeat(40), size: 3 }, /unsafe file path "C:\/x"/],
    [{ type: "file", path: "ok.bin", oid: "../../x", size: 3 }, /ok\.bin an invalid object id/],
    [{ type: "file", path: "big.bin", oid: "a".repeat(40), size: -1 }, /big\.bin an invalid size/],
  ];
  for (const [entry, re] of cases) {
    const hub = await startHub(t, { "org/evil": { files: { "config.json": { data: Buffer.from("{}") } }, extraEntries: [entry] } });
    const c = new HubClient({ repo: "org/evil", hubUrl: hub.url });
    await assert.rejects(c.listFiles(await c.resolveRevision("main")), hubErr("FMT_INVALID", re));
  }
});

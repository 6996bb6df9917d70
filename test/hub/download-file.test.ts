import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { downloadFile, type DownloadFileOptions, type FileProgress } from "../../src/hub/download-file.js";
import { planParts } from "../../src/hub/part-plan.js";
import { partialPath, partsSidecarPath } from "../../src/hub/hf-cache-layout.js";
import { tempDir } from "../helpers/temp-dir.js";
import { hubErr, MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";
import { TEST_TOKEN, type LoopbackHub } from "./loopback-hub.js";

const FILE = "model.safetensors";

function opts(hub: LoopbackHub, dir: string, extra: Partial<DownloadFileOptions> = {}): DownloadFileOptions {
  const data = hub.repos["org/model"]!.files[FILE]!.data;
  return {
    url: `${hub.url}/org/model/resolve/${hub.commitOf("org/model")}/${FILE}`,
    hubUrl: hub.url,
    repo: "org/model",
    file: FILE,
    dest: path.join(dir, sha256(data)),
    size: data.length,
    sha256: sha256(data),
    partsPerFile: 4,
    minPartBytes: MiB,
    ...extra,
  };
}

const dataOf = (hub: LoopbackHub) => hub.repos["org/model"]!.files[FILE]!.data;

test("parts: at most partsPerFile, none under the minimum, covering the file exactly", () => {
  assert.deepEqual(planParts(10, 4, 1).map((p) => [p.start, p.end]), [[0, 2], [3, 5], [6, 8], [9, 9]]);
  assert.equal(planParts(100 * MiB, 8, 16 * MiB).length, 7);
  assert.equal(planParts(3 * MiB, 8, 16 * MiB).length, 1);
  assert.deepEqual(planParts(0, 8, 1), []);
  for (const [size, n, min] of [[1, 8, 1], [97 * MiB + 3, 8, MiB], [64 * MiB, 4, MiB]] as const) {
    const parts = planParts(size, n, min);
    assert.equal(parts[0]!.start, 0);
    assert.equal(parts.at(-1)!.end, size - 1);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i]!.start, parts[i - 1]!.end + 1);
  }
  // a big file gets more parts than connections, none above the maximum
  const big = planParts(2048 * MiB, 8, 16 * MiB, 32 * MiB);
  assert.equal(big.length, 64);
  assert.ok(big.every((p) => p.end - p.start + 1 === 32 * MiB));
  assert.equal(planParts(64 * MiB, 8, 16 * MiB, 32 * MiB).length, 4, "the minimum still wins over the count");
});

test("more parts than connections: each connection takes the next part in file order; the hash follows and catches corruption", async (t) => {
  const size = 64 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  hub.faults.set(FILE, { throttle: 64 * MiB });
  const dir = tempDir(t);
  await downloadFile(opts(hub, dir, { partsPerFile: 2, maxPartBytes: 8 * MiB }));
  assert.deepEqual(fs.readFileSync(opts(hub, dir).dest), dataOf(hub));
  const starts = hub.served.filter((s) => s.path === FILE).map((s) => s.start);
  assert.deepEqual([...starts].sort((x, y) => x - y), Array.from({ length: 8 }, (_, i) => i * 8 * MiB), "8 parts of 8 MiB");
  // two connections: a part is requested at most one place away from its file order (the two race)
  assert.ok(starts.every((s, i) => Math.abs(s / (8 * MiB) - i) <= 1), `requested in file order: ${starts.map((s) => s / MiB).join(" ")}`);
  assert.equal(hub.bytesServed(FILE), size, "each byte fetched once");
  const resolves = hub.requests.filter((q) => q.file === FILE && q.url.includes("/resolve/")).length;
  assert.ok(resolves <= 2, `${resolves} /resolve/ requests: after the first redirect, parts go straight to its target`);

  // the same file, one bit flipped on every response: the off-thread hash sees it, nothing is left
  const dir2 = tempDir(t);
  hub.faults.set(FILE, { corrupt: { times: 100 } });
  await assert.rejects(downloadFile(opts(hub, dir2, { partsPerFile: 2, maxPartBytes: 8 * MiB })), hubErr("HUB_INTEGRITY", /model\.safetensors: sha256 [0-9a-f]{64} ≠ expected/));
  assert.deepEqual(fs.readdirSync(dir2), [], "no blob, partial file or sidecar");
});

test("downloads in parallel ranged parts through the CDN redirect; progress is sampled to ≤ ~10 events/s", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(24 * MiB, { private: true }) }, { cdnOnOtherOrigin: true });
  hub.faults.set(FILE, { throttle: 12 * MiB }); // 4 parts × 12 MiB/s: about half a second
  const dir = tempDir(t);
  const events: FileProgress[] = [];
  const t0 = Date.now();
  const r = await downloadFile(opts(hub, dir, { token: TEST_TOKEN, onProgress: (p) => events.push(p) }));
  const secs = (Date.now() - t0) / 1000;
  const o = opts(hub, dir);
  assert.deepEqual(fs.readFileSync(o.dest), dataOf(hub));
  assert.equal(r.bytesFetched, 24 * MiB);
  assert.equal(fs.existsSync(partialPath(o.dest)) || fs.existsSync(partsSidecarPath(o.dest)), false, "no partial file or sidecar left");
  const ranges = hub.requests.filter((q) => q.host === "cdn").map((q) => q.range);
  assert.equal(new Set(ranges).size, 4, `four distinct ranges: ${ranges.join(" ")}`);
  assert.ok(hub.requests.filter((q) => q.host === "hub").every((q) => q.authorization === `Bearer ${TEST_TOKEN}`));
  assert.ok(hub.requests.filter((q) => q.host === "cdn").every((q) => q.headers.authorization === undefined), "token not sent to the other host");
  assert.deepEqual(events.at(-1), { file: FILE, done: 24 * MiB, total: 24 * MiB });
  assert.ok(events.length >= 3, `${events.length} events`);
  assert.ok(events.length <= secs * 10 + 3, `${events.length} events in ${secs.toFixed(2)} s`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.done >= events[i - 1]!.done);
});

test("abort mid-file keeps the partial file; the resume re-fetches less than one part", async (t) => {
  const size = 64 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  hub.faults.set(FILE, { throttle: 24 * MiB });
  const dir = tempDir(t);
  const ac = new AbortController();
  await assert.rejects(
    downloadFile(opts(hub, dir, { signal: ac.signal, onProgress: (p) => p.done > 32 * MiB && ac.abort(new Error("stop")) })),
    /stop/,
  );
  const o = opts(hub, dir);
  assert.ok(fs.existsSync(partialPath(o.dest)) && fs.existsSync(partsSidecarPath(o.dest)), "partial file and sidecar kept");
  assert.equal(fs.existsSync(o.dest), false);
  const before = hub.bytesServed(FILE);
  hub.faults.delete(FILE);
  const r = await downloadFile(o);
  assert.deepEqual(fs.readFileSync(o.dest), dataOf(hub));
  const refetched = hub.bytesServed(FILE) - size;
  t.diagnostic(`served before abort ${(before / MiB).toFixed(1)} MiB, resumed ${(r.resumedBytes / MiB).toFixed(1)} MiB, re-fetched ${(refetched / MiB).toFixed(2)} MiB; a part is 16 MiB`);
  assert.ok(r.resumedBytes > 28 * MiB, `resumed ${r.resumedBytes}`);
  assert.ok(refetched <= 16 * MiB, `re-fetched ${(refetched / MiB).toFixed(1)} MiB > one part`);
  assert.equal(r.bytesFetched + r.resumedBytes, size);
});

test("a dropped connection, a stalled part and transient refusals are resumed from where they stopped", async (t) => {
  const size = 16 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  const dir = tempDir(t);
  hub.faults.set(FILE, { dropAfter: { bytes: MiB, times: 2 } });
  await downloadFile(opts(hub, dir));
  assert.deepEqual(fs.readFileSync(opts(hub, dir).dest), dataOf(hub));
  assert.ok(hub.bytesServed(FILE) <= size + 2 * MiB, `drop: served ${hub.bytesServed(FILE)}`);

  const dir2 = tempDir(t);
  hub.served.length = 0;
  hub.faults.set(FILE, { stallAfter: { bytes: MiB, times: 1 } }); // silent forever: only the stall timer saves us
  const t0 = Date.now();
  await downloadFile(opts(hub, dir2, { stallMs: 1000 }));
  assert.deepEqual(fs.readFileSync(opts(hub, dir2).dest), dataOf(hub));
  assert.ok(Date.now() - t0 < 8000);
  assert.ok(hub.bytesServed(FILE) <= size + MiB, `stall: served ${hub.bytesServed(FILE)}`);

  for (const status of [503, 429, 403]) {
    // 403 from the CDN (an expired signed URL) is retried through a fresh redirect, not taken as "gated"
    const dir3 = tempDir(t);
    hub.faults.set(FILE, { failWith: { status, times: 2 } });
    await downloadFile(opts(hub, dir3));
    assert.deepEqual(fs.readFileSync(opts(hub, dir3).dest), dataOf(hub), String(status));
  }
});

test("a part that keeps failing ends as HUB_UNAVAILABLE naming the file after bounded retries", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(2 * MiB) });
  hub.faults.set(FILE, { failWith: { status: 500, times: 100 } });
  const dir = tempDir(t);
  await assert.rejects(downloadFile(opts(hub, dir, { maxPartRetries: 2, token: TEST_TOKEN })), hubErr("HUB_UNAVAILABLE", /org\/model\/model\.safetensors: bytes \d+-\d+ failed 3 times in a row; last: .*answered 500/));
  const n = hub.stats(FILE).requests;
  assert.ok(n >= 3 * 2 && n <= 2 * 3 * 2, `${n} requests: resolve + CDN per attempt, 3 attempts, 2 parts at most`);
});

test("corrupted bytes: retried once from scratch, then HUB_INTEGRITY and nothing left", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(4 * MiB) });
  const dir = tempDir(t);
  hub.faults.set(FILE, { corrupt: { times: 1 } });
  await downloadFile(opts(hub, dir));
  assert.equal(sha256(fs.readFileSync(opts(hub, dir).dest)), sha256(dataOf(hub)));

  const dir2 = tempDir(t);
  hub.faults.set(FILE, { corrupt: { times: 100 } });
  const o = opts(hub, dir2);
  await assert.rejects(downloadFile(o), hubErr("HUB_INTEGRITY", /org\/model\/model\.safetensors: sha256 [0-9a-f]{64} ≠ expected [0-9a-f]{64}; the partial file was deleted/));
  assert.deepEqual(fs.readdirSync(dir2), [], "no blob, partial file or sidecar");

  // a regular (non-LFS) file is checked against its git blob sha1
  const dir3 = tempDir(t);
  const cfg = hub.repos["org/model"]!.files["config.json"]!.data;
  hub.faults.set("config.json", { corrupt: { times: 100 } });
  const { sha256: _drop, ...base } = opts(hub, dir3);
  await assert.rejects(
    downloadFile({ ...base, url: `${hub.url}/org/model/resolve/main/config.json`, file: "config.json", size: cfg.length, gitSha1: "0".repeat(40), dest: path.join(dir3, "0".repeat(40)) }),
    hubErr("HUB_INTEGRITY", /config\.json: git sha1 [0-9a-f]{40} ≠ expected 0{40}/),
  );
});

test("cancel stops within 2 s; removePartialOnAbort deletes the partial file", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(32 * MiB) });
  hub.faults.set(FILE, { throttle: 2 * MiB });
  for (const remove of [false, true]) {
    const dir = tempDir(t);
    const ac = new AbortController();
    const p = downloadFile(opts(hub, dir, { signal: ac.signal, removePartialOnAbort: remove }));
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    ac.abort(new Error("cancelled by test"));
    await assert.rejects(p, /cancelled by test/);
    const took = Date.now() - t0;
    assert.ok(took < 2000, `took ${took} ms`);
    assert.equal(fs.existsSync(partialPath(opts(hub, dir).dest)), !remove);
  }
});

test("a sidecar that does not describe the partial file is ignored (fresh start, correct result)", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(2 * MiB) });
  const dir = tempDir(t);
  const o = opts(hub, dir);
  fs.writeFileSync(partialPath(o.dest), Buffer.alloc(2 * MiB, 7));
  fs.writeFileSync(partsSidecarPath(o.dest), JSON.stringify({ size: 2 * MiB, parts: [{ start: 0, next: 2 * MiB, end: MiB }] }));
  const r = await downloadFile(o);
  assert.equal(r.resumedBytes, 0);
  assert.deepEqual(fs.readFileSync(o.dest), dataOf(hub));
});

// #20 item 14: a consistently corrupt file was downloaded 10 times (2 fetches × 5 job attempts). After the one
// re-fetch the error is permanent: the job does not retry it.
test("a file corrupt on every fetch: two fetches, then HUB_INTEGRITY that a job does not retry", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(1 * MiB) });
  const dir = tempDir(t);
  hub.faults.set(FILE, { corrupt: { times: 100 } });
  const before = hub.stats(FILE).requests;
  await assert.rejects(downloadFile(opts(hub, dir)), (e: { code?: string; retryable?: boolean; message?: string }) => e.code === "HUB_INTEGRITY" && e.retryable === false && /2 times.*not retried/.test(e.message ?? ""));
  const fetches = hub.stats(FILE).requests - before;
  t.diagnostic(`${fetches} requests for the corrupt file`);
  assert.ok(fetches <= 2 * 2, `${fetches} requests: resolve + CDN for each of the 2 fetches at most`);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { toCortexError } from "../../src/errors/cortex-error.js";
import { downloadFile } from "../../src/hub/download-file.js";
import { HubClient } from "../../src/hub/hub-client.js";
import { allocatedBytes } from "../fuzz/fuzz-helpers.js";
import { TEST_TOKEN } from "../hub/loopback-hub.js";

/** A raw server whose metadata answers misbehave; records who sent a token. */
async function hostileHub(t: { after: (fn: () => void) => void }, behave: (req: http.IncomingMessage, res: http.ServerResponse, port: number) => void) {
  const seen: { host: string; url: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ host: req.headers.host ?? "", url: req.url ?? "", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    behave(req, res, (server.address() as AddressInfo).port);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test("a hostile Hub: an endless answer is cut with FMT_INVALID in bounded memory; a stalled one ends HUB_UNAVAILABLE; a redirect to another host gets no token", async (t) => {
  const endless = await hostileHub(t, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"sha":"' );
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (res.write(chunk)) if (res.destroyed) return;
      res.once("drain", pump);
    };
    pump();
  });
  const m0 = allocatedBytes();
  const t0 = Date.now();
  await assert.rejects(new HubClient({ repo: "org/m", hubUrl: endless.url, retries: 0, maxAnswerBytes: 4 << 20 }).revisionInfo("main"), (e: Error & { code?: string }) => e.code === "FMT_INVALID" && /larger than 4194304 bytes/.test(e.message));
  t.diagnostic(`endless answer refused after ${Date.now() - t0} ms, ${((allocatedBytes() - m0) / 2 ** 20).toFixed(1)} MiB allocated`);
  assert.ok(allocatedBytes() - m0 < 64 << 20);

  const stalled = await hostileHub(t, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"sha":');
  });
  await assert.rejects(new HubClient({ repo: "org/m", hubUrl: stalled.url, retries: 0, timeoutMs: 500 }).revisionInfo("main"), (e: Error & { code?: string }) => e.code === "HUB_UNAVAILABLE" && /stalled/.test(e.message));

  const redirecting = await hostileHub(t, (req, res, port) => {
    if ((req.headers.host ?? "").startsWith("127.0.0.1")) {
      res.writeHead(302, { location: `http://localhost:${port}/api/models/org/m/revision/main` });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ sha: "a".repeat(40), private: false }));
  });
  const info = await new HubClient({ repo: "org/m", hubUrl: redirecting.url, token: TEST_TOKEN, retries: 0 }).revisionInfo("main");
  assert.equal(info.commit, "a".repeat(40));
  assert.equal(redirecting.seen[0]?.authorization, `Bearer ${TEST_TOKEN}`, "the Hub itself gets the token");
  assert.ok(redirecting.seen.length >= 2 && redirecting.seen.slice(1).every((r) => r.host.startsWith("localhost") && !r.authorization), "the other host never does");
});

// #20 item 12: an endless tree of folder-only pages ran 6.5 min+ (173,164 pages): folders did not count toward the
// listing cap and a listing had no page or time budget.
test("an endless Hub tree of folder-only (or empty) pages ends with a typed error within its page budget", async (t) => {
  let served = 0;
  const endlessTree = await hostileHub(t, (req, res, port) => {
    served++;
    const next = `http://127.0.0.1:${port}/api/models/org/m/tree/${"a".repeat(40)}?recursive=true&cursor=${served}`;
    res.writeHead(200, { "content-type": "application/json", link: `<${next}>; rel="next"` });
    res.end(served % 2 ? JSON.stringify([{ type: "directory", path: `d${served}`, oid: "b".repeat(40), size: 0 }]) : "[]");
  });
  const t0 = Date.now();
  await assert.rejects(
    new HubClient({ repo: "org/m", hubUrl: endlessTree.url, retries: 0, maxListingPages: 50 }).listFiles("a".repeat(40)),
    (e: Error & { code?: string; retryable?: boolean }) => e.code === "FMT_INVALID" && e.retryable === false && /past 50 pages/.test(e.message),
  );
  t.diagnostic(`endless tree refused after ${served} pages, ${Date.now() - t0} ms`);
  assert.ok(served <= 51, `${served} pages fetched`);
  const slow = await hostileHub(t, (_req, res, port) => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json", link: `<http://127.0.0.1:${port}/api/models/org/m/tree/x?cursor=${Date.now()}>; rel="next"` });
      res.end("[]");
    }, 50);
  });
  await assert.rejects(new HubClient({ repo: "org/m", hubUrl: slow.url, retries: 0, maxListingMs: 1_000 }).listFiles("a".repeat(40)), (e: Error & { code?: string }) => e.code === "HUB_UNAVAILABLE" && /took longer than 1 s/.test(e.message));
});

// #20 item 13: a redirect loop was retried as transient (each part 6 times, each job 5 times) and held a download
// slot for many minutes. A loop is permanent: one round of redirects, then a typed error the job does not retry.
test("a redirect loop fails once, permanently (not retried by the part or the job)", async (t) => {
  const loop = await hostileHub(t, (req, res) => {
    res.writeHead(302, { location: req.url ?? "/" });
    res.end();
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loop-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const t0 = Date.now();
  await assert.rejects(
    downloadFile({ url: `${loop.url}/org/m/resolve/main/model.safetensors`, hubUrl: loop.url, repo: "org/m", file: "model.safetensors", dest: path.join(dir, "blob"), size: 1 << 20, sha256: "0".repeat(64), partsPerFile: 1 }),
    (e: Error & { code?: string; retryable?: boolean }) => e.code === "HUB_UNAVAILABLE" && e.retryable === false && /too many redirects/.test(e.message),
  );
  t.diagnostic(`redirect loop refused after ${loop.seen.length} requests, ${Date.now() - t0} ms`);
  assert.ok(loop.seen.length <= 12, `${loop.seen.length} requests`);
});

test("a file name the disk cannot hold (ENAMETOOLONG) is a permanent IO_ERROR, not a transient one", () => {
  const e = toCortexError(Object.assign(new Error("ENAMETOOLONG: name too long"), { code: "ENAMETOOLONG" }));
  assert.equal(e.retryable, false);
  assert.equal(toCortexError(Object.assign(new Error("EEXIST"), { code: "EEXIST" })).retryable, false);
  assert.equal(toCortexError(Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" })).retryable, true, "network errors stay transient");
});

test("a Hub that never sends headers holds a download slot for one round of part retries, then a failure the job does not retry", async (t) => {
  const silent = await hostileHub(t, () => {
    // accept, then say nothing
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "silent-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const t0 = Date.now();
  await assert.rejects(
    downloadFile({ url: `${silent.url}/org/m/resolve/main/model.safetensors`, hubUrl: silent.url, repo: "org/m", file: "model.safetensors", dest: path.join(dir, "blob"), size: 1 << 20, sha256: "0".repeat(64), partsPerFile: 1, headerTimeoutMs: 300, maxPartRetries: 2 }),
    (e: Error & { code?: string; retryable?: boolean }) => e.code === "HUB_UNAVAILABLE" && e.retryable === false && /no bytes at all; not retried/.test(e.message),
  );
  t.diagnostic(`stalled headers: given up after ${silent.seen.length} requests, ${Date.now() - t0} ms`);
  assert.equal(silent.seen.length, 3, "the first try and 2 retries");
});

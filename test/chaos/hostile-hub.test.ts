import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
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

import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { http1Get, type Http1Response } from "../../src/hub/http1-get.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A server that answers each request with exactly the bytes `answer` returns, write by write ("end": close). */
async function rawServer(t: TestContext, answer: (req: string, n: number) => (Buffer | "end")[] | "close"): Promise<{ url: URL; connections: () => number }> {
  let connections = 0;
  let requests = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    connections++;
    open.add(sock.on("close", () => open.delete(sock)));
    let got = "";
    sock.on("data", (d) => {
      got += d.toString("latin1");
      for (let end = got.indexOf("\r\n\r\n"); end >= 0; end = got.indexOf("\r\n\r\n")) {
        const req = got.slice(0, end);
        got = got.slice(end + 4);
        const a = answer(req, requests++);
        if (a === "close") return void sock.destroy();
        for (const piece of a) if (piece === "end") sock.end();
        else sock.write(piece);
      }
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => {
    server.close(() => r());
    for (const s of open) s.destroy(); // kept-alive client connections
  }));
  return { url: new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/f`), connections: () => connections };
}

const get = (url: URL, signal = new AbortController().signal) => http1Get(url, { headers: { range: "bytes=0-" }, signal, headerTimeoutMs: 2000 });

async function body(res: Http1Response): Promise<{ whole: boolean; bytes: Buffer }> {
  const parts: Buffer[] = [];
  const whole = await res.read((c) => void parts.push(Buffer.from(c))); // copied: the view is reused
  return { whole, bytes: Buffer.concat(parts) };
}

test("http1Get: Content-Length bodies in many pieces, head split across reads, 1xx skipped; keep-alive reuses one connection", async (t) => {
  const data = crypto.randomBytes(3 << 20);
  const srv = await rawServer(t, () => {
    const head = Buffer.from(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: ${data.length}\r\nX-Twice: a\r\nX-Twice: b\r\n\r\n`);
    return [head.subarray(0, 30), head.subarray(30), ...Array.from({ length: 3 }, (_, i) => data.subarray(i << 20, (i + 1) << 20))];
  });
  for (let i = 0; i < 3; i++) {
    const res = await get(srv.url);
    assert.equal(res.status, 206);
    assert.equal(res.headers["x-twice"], "a, b");
    const b = await body(res);
    assert.equal(b.whole, true);
    assert.ok(b.bytes.equals(data), "the body arrives intact, in order");
  }
  assert.equal(srv.connections(), 1, "three requests on one kept-alive connection");
});

test("http1Get: chunked bodies are decoded; a body without length reads to close; Connection: close is not reused", async (t) => {
  const data = crypto.randomBytes(100_000);
  const chunked = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Buffer.from(`${(70_000).toString(16)};ext=1\r\n`), data.subarray(0, 70_000), Buffer.from(`\r\n${(30_000).toString(16)}\r\n`), data.subarray(70_000), Buffer.from("\r\n0\r\nX-Trailer: 1\r\n\r\n")]);
  const srv = await rawServer(t, (_req, n) => {
    if (n === 0) return [chunked.subarray(0, 50_001), chunked.subarray(50_001)];
    if (n === 2) return [Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")];
    return [Buffer.from("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), data];
  });
  const a = await body(await get(srv.url));
  assert.deepEqual([a.whole, a.bytes.equals(data)], [true, true]);
  // the second answer has no length: the body ends when the server closes (the test server never does: close it)
  const res = await get(srv.url);
  const parts: Buffer[] = [];
  let seen = 0;
  const whole = await res.read((c) => {
    parts.push(Buffer.from(c));
    seen += c.length;
    return seen < data.length; // stop once everything arrived: the connection is dropped, not reused
  });
  assert.equal(whole, false, "stopped by the sink");
  assert.ok(Buffer.concat(parts).equals(data));
  assert.equal(srv.connections(), 1);
  assert.equal((await body(await get(srv.url))).bytes.toString(), "ok");
  assert.equal(srv.connections(), 2, "a stopped body's connection is not reused");
});

test("http1Get: a kept-alive connection the server closed while idle is retried once on a fresh one", async (t) => {
  const srv = await rawServer(t, (_req, n) => (n === 1 ? "close" : [Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]));
  assert.equal((await body(await get(srv.url))).bytes.toString(), "ok");
  assert.equal((await body(await get(srv.url))).bytes.toString(), "ok", "the stale connection was replaced");
  assert.equal(srv.connections(), 2);
});

test("http1Get: bad answers, an early close, a failing sink and an abort are errors, never a short success", async (t) => {
  const srv = await rawServer(t, (req) => {
    if (req.includes("/garbage")) return [Buffer.from("SSH-2.0-OpenSSH\r\n\r\n")];
    if (req.includes("/badlen")) return [Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n")];
    if (req.includes("/short")) return [Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc"), "end"];
    if (req.includes("/toclose")) return [Buffer.from("HTTP/1.0 200 OK\r\n\r\nhello"), "end"];
    if (req.includes("/slow")) return [Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")];
    return [];
  });
  const at = (p: string) => new URL(p, srv.url);
  await assert.rejects(get(at("/garbage")), /not an HTTP\/1\.x response: "SSH-2\.0-OpenSSH"/);
  await assert.rejects(async () => body(await get(at("/badlen"))), /bad Content-Length "12abc"/);
  await assert.rejects(http1Get(at("/silent"), { headers: {}, signal: new AbortController().signal, headerTimeoutMs: 200 }), /timed out waiting for the response/);
  // no length: the body is what came before the server closed
  assert.deepEqual(await body(await get(at("/toclose"))).then((b) => [b.whole, b.bytes.toString()]), [true, "hello"]);
  // the server closed before the body was asked for (the socket is paused until read(), so the close is seen
  // then): read() still settles, at once
  for (const [p, want] of [["/short", [false, "abc"]], ["/toclose", [true, "hello"]]] as const) {
    const res = await get(at(p));
    await sleep(100);
    assert.deepEqual(await body(res).then((b) => [b.whole, b.bytes.toString()]), want, p);
  }
  // the server closes after 3 of 10 bytes: not whole
  const short = await get(at("/short"));
  assert.equal((await body(short)).whole, false);
  // a sink that throws (a full disk) fails the read with its own error
  await assert.rejects(async () => (await get(at("/slow"))).read(() => {
    throw new Error("ENOSPC: no space left");
  }), /ENOSPC/);
  // an abort mid-body rejects with the abort's reason
  const ac = new AbortController();
  const slow = await get(at("/slow"), ac.signal);
  const reading = slow.read(() => void setImmediate(() => ac.abort(new Error("cancelled by the user"))));
  await assert.rejects(reading, /cancelled by the user/);
  await assert.rejects(http1Get(new URL("http://127.0.0.1:1/"), { headers: {}, signal: new AbortController().signal, headerTimeoutMs: 500 }), { code: "ECONNREFUSED" });
});

test("http1Get over TLS: verifies the certificate against Node's CA store (plus NODE_EXTRA_CA_CERTS) and streams the body", async (t) => {
  const dir = tempDir(t);
  const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
  } catch {
    return t.skip("openssl cannot make a certificate here");
  }
  const data = crypto.randomBytes(5 << 20);
  const https = await import("node:https");
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { "content-length": data.length });
    res.end(data);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  }));
  const url = `https://localhost:${(server.address() as net.AddressInfo).port}/f`;
  const child = path.join(dir, "get.mjs");
  const mod = fileURLToPath(new URL("../../src/hub/http1-get.js", import.meta.url));
  fs.writeFileSync(child, `import { http1Get } from ${JSON.stringify(mod)};
import crypto from "node:crypto";
const h = crypto.createHash("sha256");
try {
  for (let i = 0; i < 2; i++) {
    const res = await http1Get(new URL(process.argv[2]), { headers: {}, signal: new AbortController().signal, headerTimeoutMs: 5000 });
    const whole = await res.read((c) => void h.update(c));
    if (!whole) throw new Error("short body");
  }
  console.log(h.digest("hex"));
} catch (err) { console.log("ERR", err.code ?? err.message); }
process.exit(0);`);
  const run = promisify(execFile);
  const trusted = await run(process.execPath, [child, url], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } });
  const twice = crypto.createHash("sha256").update(data).update(data).digest("hex");
  assert.equal(trusted.stdout.trim(), twice, "both bodies arrived intact over TLS");
  const untrusted = await run(process.execPath, [child, url], { env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
  assert.match(untrusted.stdout, /^ERR (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/, "an unknown certificate is refused");
});

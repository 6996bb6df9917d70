/**
 * #20 item 3: the TCP listener against a guesser and other users. Today 60 parallel wrong guesses all got their
 * answers within one delay (2.1 s); a short CORTEX_TOKEN was accepted; TCP was plaintext only; a pre-existing
 * CORTEX_HOME stayed 0755.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { CortexClient } from "../../src/cli/client.js";
import { fileMode, runDaemonToExit, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

const TOKEN = "cortex-test-token-0123456789abcdef-0123";
type Rejection = Error & { grpcCode?: number };

test("a CORTEX_TOKEN shorter than 32 characters stops the start (exit 78) naming the variable, not the value", async (t) => {
  const short = "short-secret-123";
  const r = await runDaemonToExit(path.join(tempDir(t), "h"), ["--listen", "127.0.0.1:0"], { CORTEX_TOKEN: short });
  assert.equal(r.code, 78, r.output);
  assert.match(r.output, /CORTEX_TOKEN.*at least 32 characters/);
  assert.ok(!r.output.includes(short), "the token is not echoed");
});

test("a pre-existing CORTEX_HOME with mode 0755 is tightened to 0700", async (t) => {
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(home, { mode: 0o755 });
  fs.chmodSync(home, 0o755);
  const d = await startDaemon(home);
  t.after(() => d.stop());
  assert.equal(fileMode(home), 0o700);
});

test("parallel wrong guesses from one address are answered one at a time, ever slower; the right token still works", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"], env: { CORTEX_TOKEN: TOKEN } });
  t.after(() => d.stop());
  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const guess = async (i: number) => {
    const g = new CortexClient({ address, token: `guess-${i}-${"x".repeat(40)}` });
    const t0 = Date.now();
    try {
      await assert.rejects(g.unary("cortex.v1.ModelService", "GetStatus", {}, 60_000), (e: Rejection) => e.grpcCode === grpc.status.UNAUTHENTICATED);
      return Date.now() - t0;
    } finally {
      g.close();
    }
  };
  // 3 free, then 200 + 400 + 800 + 1600 + 2000 ms one after the other: the slowest answer ≥ 5 s. Delays that only
  // count failures (today) answer all 8 within 2 s.
  const times = await Promise.all(Array.from({ length: 8 }, (_, i) => guess(i)));
  t.diagnostic(`8 parallel guesses answered after ${times.sort((a, b) => a - b).join(", ")} ms`);
  assert.ok(times.at(-1)! >= 4_500, `the 8th parallel guess was answered after ${times.at(-1)} ms`);
  const right = new CortexClient({ address, token: TOKEN });
  t.after(() => right.close());
  assert.match((await right.unary("cortex.v1.ModelService", "GetStatus", {}, 30_000)).version, /^\d+\.\d+\.\d+/);
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(dir: string): Record<"ca" | "caKey" | "cert" | "key" | "clientCert" | "clientKey" | "otherCa" | "otherCaKey" | "otherCert" | "otherKey", string> {
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const ca = (name: string) => ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", f(`${name}.key`), "-out", f(`${name}.pem`));
  const leaf = (name: string, caName: string, ext: string) => {
    fs.writeFileSync(f(`${name}.ext`), ext);
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`));
    ssl("x509", "-req", "-in", f(`${name}.csr`), "-CA", f(`${caName}.pem`), "-CAkey", f(`${caName}.key`), "-CAcreateserial", "-days", "2", "-extfile", f(`${name}.ext`), "-out", f(`${name}.pem`));
  };
  ca("ca");
  ca("other");
  leaf("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "ca", "extendedKeyUsage=clientAuth\n");
  leaf("stranger", "other", "extendedKeyUsage=clientAuth\n");
  return { ca: f("ca.pem"), caKey: f("ca.key"), cert: f("server.pem"), key: f("server.key"), clientCert: f("client.pem"), clientKey: f("client.key"), otherCa: f("other.pem"), otherCaKey: f("other.key"), otherCert: f("stranger.pem"), otherKey: f("stranger.key") };
}

test("TLS on the TCP listener (--tls-cert/--tls-key), and mTLS with --tls-client-ca", async (t) => {
  const dir = tempDir(t, "tls");
  const pki = makePki(dir);
  const read = (file: string) => fs.readFileSync(file);
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0", "--tls-cert", pki.cert, "--tls-key", pki.key, "--tls-client-ca", pki.ca], env: { CORTEX_TOKEN: TOKEN } });
  t.after(() => d.stop());
  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const listener = status.listeners.find((l) => l.startsWith("tls://127.0.0.1:"));
  assert.ok(listener, `a TLS listener in ${status.listeners}`);
  const address = listener.replace("tls://", "");
  const call = async (target: ConstructorParameters<typeof CortexClient>[0]) => {
    const c = new CortexClient(target);
    try {
      return await c.unary("cortex.v1.ModelService", "GetStatus", {}, 10_000);
    } finally {
      c.close();
    }
  };
  const ok = await call({ address, token: TOKEN, tls: { ca: read(pki.ca), cert: read(pki.clientCert), key: read(pki.clientKey) } });
  assert.match(ok.version, /^\d+\.\d+\.\d+/);
  await assert.rejects(call({ address, token: TOKEN }), (e: Rejection) => e.grpcCode === grpc.status.UNAVAILABLE, "plaintext is refused");
  await assert.rejects(call({ address, token: TOKEN, tls: { ca: read(pki.ca) } }), (e: Rejection) => e.grpcCode === grpc.status.UNAVAILABLE, "no client certificate: refused");
  await assert.rejects(call({ address, token: TOKEN, tls: { ca: read(pki.ca), cert: read(pki.otherCert), key: read(pki.otherKey) } }), (e: Rejection) => e.grpcCode === grpc.status.UNAVAILABLE, "a certificate of another CA: refused");
  await assert.rejects(call({ address, token: `wrong-${TOKEN}`, tls: { ca: read(pki.ca), cert: read(pki.clientCert), key: read(pki.clientKey) } }), (e: Rejection) => e.grpcCode === grpc.status.UNAUTHENTICATED, "the token is still required");

  const half = await runDaemonToExit(path.join(dir, "h2"), ["--listen", "127.0.0.1:0", "--tls-cert", pki.cert]);
  assert.equal(half.code, 78);
  assert.match(half.output, /--tls-key/);
});

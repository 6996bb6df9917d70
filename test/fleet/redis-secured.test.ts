import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemon } from "../helpers/daemon.js";
import { fleetStatus as status } from "../helpers/fleet.js";
import { spawnWorker, startWorker, type WorkerProc } from "../helpers/fleet-worker.js";
import { freePort } from "../helpers/free-port.js";
import { waitFinal, waitJob } from "../helpers/jobs.js";
import { stopRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startHub } from "../hub/hub-fixtures.js";
import { QUEUE_PREFIX } from "../../src/jobs/queue-names.js";

/**
 * #21: a fleet on a Redis as README's "Running a fleet" sets one up — TLS (rediss://) with one ACL user per role, and
 * Sentinel. redis-server and openssl are required here (CI installs both): a redis-server built without TLS fails
 * this test, it does not skip it.
 */

/** redis-server with `args`, answering on TCP `port` before this resolves; its output is in the error if it exits. */
async function launch(t: { after: (fn: () => Promise<void>) => void }, args: string[], port: number, what: string): Promise<ChildProcess> {
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  t.after(() => stopRedis(proc));
  const open = () =>
    new Promise<boolean>((r) => {
      const s = net.connect(port, "127.0.0.1", () => (s.destroy(), r(true)));
      s.on("error", () => r(false));
    });
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) assert.fail(`${what}: redis-server exited ${proc.exitCode}:\n${out}`);
    if (await open()) return proc;
    await sleep(25);
  }
  assert.fail(`${what}: redis-server did not listen on ${port}:\n${out}`);
}

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=cortex-test-ca", "-keyout", f("ca.key"), "-out", f("ca.pem"));
  fs.writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=redis", "-keyout", f("server.key"), "-out", f("server.csr"));
  ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("server.ext"), "-out", f("server.pem"));
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

/** The fleet on one Redis: a daemon and a worker with `env` each, one quantization run remotely, one cancel. */
async function runFleet(t: { after: (fn: () => Promise<void>) => void; diagnostic: (s: string) => void }, root: string, daemonEnv: Record<string, string>, workerEnv: Record<string, string>) {
  const model = fs.readFileSync(tinyModel());
  const hub = await startHub(t, { "org/tiny": { files: { "model.gguf": { data: model, lfs: true } } }, "org/slow": { files: { "slow.gguf": { data: model, lfs: true } } } });
  hub.faults.set("slow.gguf", { throttle: 64 * 1024 });
  const shared = path.join(root, "shared");
  fs.mkdirSync(shared, { recursive: true });
  const common = { CORTEX_SHARED_ROOTS: shared, HF_ENDPOINT: hub.url, CORTEX_THREADS: "1" };
  const daemon = await startDaemon(path.join(root, "daemon"), { env: { ...common, ...daemonEnv, HF_HUB_CACHE: path.join(root, "daemon-hf") } });
  t.after(async () => {
    await daemon.stop();
  });
  const workers: WorkerProc[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => (w.proc.exitCode === null ? (w.proc.kill("SIGKILL"), w.exited) : undefined)));
  });
  const worker = await startWorker(root, "w1", { ...common, ...workerEnv }, ["--capabilities", "gguf"]);
  workers.push(worker);

  // The daemon sees the worker through the secured Redis: its heartbeat, and Redis healthy.
  const s = await status(daemon);
  assert.ok(s.workers.some((w) => w.role === "worker" && w.pid === worker.proc.pid), JSON.stringify(s.workers));
  const out = path.join(shared, "out");
  const h = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/tiny@${hub.commitOf("org/tiny")}`, type: "Q8_0", output_name: "tiny", threads: 1, destination: `shared:${out}` });
  const done = await waitFinal(daemon.client, h.job_id, 60_000);
  assert.equal(done.state, "JOB_STATE_COMPLETED", `${done.error_code} ${done.error_message}`);
  assert.ok(fs.existsSync(path.join(out, "tiny.gguf")));

  // A cancel from the daemon reaches the worker's job (pub/sub on the same secured connection) within 2 s.
  const slow = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/slow@${hub.commitOf("org/slow")}`, type: "Q4_0", output_name: "slow", threads: 1, destination: `shared:${out}` });
  await waitJob(daemon.client, slow.job_id, (j) => j.state === "JOB_STATE_ACTIVE" && j.progress?.phase === "fetching input", 60_000);
  const t0 = performance.now();
  const cancelled = await daemon.client.unary("cortex.v1.JobService", "CancelJob", { job_id: slow.job_id, reason: "test" });
  const ms = performance.now() - t0;
  assert.equal(cancelled.state, "JOB_STATE_CANCELLED", JSON.stringify(cancelled));
  assert.ok(ms < 2000, `cancel took ${Math.round(ms)} ms`);
  t.diagnostic(`remote cancel took ${Math.round(ms)} ms`);
  return { daemon, worker };
}

/** A worker that must not start: it exits 69 (Redis unavailable, sysexits), saying why; the password never appears. */
async function refusedWorker(root: string, name: string, env: Record<string, string>, password: string): Promise<string> {
  const w = spawnWorker(root, name, env, ["--capabilities", "gguf"]);
  const timer = setTimeout(() => w.proc.kill("SIGKILL"), 30_000);
  const code = await w.exited;
  clearTimeout(timer);
  assert.notEqual(code, null, `${name} hung instead of failing:\n${w.output()}`);
  assert.equal(code, 69, w.output());
  assert.ok(!w.output().includes(password), `the password in ${name}'s output`);
  return w.output();
}

test(
  "fleet on rediss:// with one ACL user per role (README's Security): a daemon and a worker with the CA in CORTEX_REDIS_OPTIONS run a job and a cancel; a wrong password or no CA fails the worker at start",
  { skip: tinyModelsUnavailable(), timeout: 180_000 },
  async (t) => {
    const root = tempDir(t, "rtls");
    const pki = makeCerts(root);
    const port = await freePort();
    // README: one ACL user per role, limited to cortexd's keys and channels; the default user is off.
    const acl = (user: string, pw: string) => ["--user", user, "on", `>${pw}`, `~${QUEUE_PREFIX}:*`, `&${QUEUE_PREFIX}:*`, "+@all", "-@admin"];
    await launch(
      t,
      ["--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--tls-cert-file", pki.cert, "--tls-key-file", pki.key, "--tls-ca-cert-file", pki.ca, "--tls-auth-clients", "no", "--dir", root, "--save", "", "--appendonly", "no", "--user", "default", "off", ...acl("cortex", "daemon-pw"), ...acl("worker", "worker-pw")],
      port,
      "TLS",
    );
    const options = JSON.stringify({ tls: { ca: fs.readFileSync(pki.ca, "utf8") } });
    const url = (user: string, pw: string) => `rediss://${user}:${pw}@127.0.0.1:${port}`;
    const { daemon, worker } = await runFleet(t, root, { CORTEX_REDIS_URL: url("cortex", "daemon-pw"), CORTEX_REDIS_OPTIONS: options }, { CORTEX_REDIS_URL: url("worker", "worker-pw"), CORTEX_REDIS_OPTIONS: options });
    for (const secret of ["daemon-pw", "worker-pw"]) {
      assert.ok(!daemon.output().includes(secret), `${secret} in the daemon's log`);
      assert.ok(!worker.output().includes(secret), `${secret} in the worker's log`);
    }

    const wrong = await refusedWorker(root, "w-wrong", { CORTEX_REDIS_URL: url("worker", "not-the-pw"), CORTEX_REDIS_OPTIONS: options }, "not-the-pw");
    assert.match(wrong, /WRONGPASS|invalid username-password/i);
    t.diagnostic(`wrong password: ${wrong.trim().split("\n").at(-1)}`);
    const noCa = await refusedWorker(root, "w-noca", { CORTEX_REDIS_URL: url("worker", "worker-pw"), CORTEX_REDIS_OPTIONS: "{}" }, "worker-pw");
    assert.match(noCa, /certificate/i);
    t.diagnostic(`no CA: ${noCa.trim().split("\n").at(-1)}`);
  },
);

test(
  "fleet through Redis Sentinel (CORTEX_REDIS_OPTIONS sentinels + name; the URL's password applies to the master): a daemon and a worker run a job and a cancel",
  { skip: tinyModelsUnavailable(), timeout: 180_000 },
  async (t) => {
    const root = tempDir(t, "rsen");
    const masterPort = await freePort();
    await launch(t, ["--port", String(masterPort), "--bind", "127.0.0.1", "--requirepass", "master-pw", "--dir", root, "--save", "", "--appendonly", "no"], masterPort, "master");
    const sentinelPort = await freePort(); // picked while the master holds its port: never the same

    const conf = path.join(root, "sentinel.conf");
    fs.writeFileSync(conf, [`port ${sentinelPort}`, "bind 127.0.0.1", `dir ${root}`, `sentinel monitor fleet 127.0.0.1 ${masterPort} 1`, "sentinel auth-pass fleet master-pw", "sentinel down-after-milliseconds fleet 5000", ""].join("\n"));
    await launch(t, [conf, "--sentinel"], sentinelPort, "sentinel");
    // The URL's host and port lead nowhere: only the sentinel can have found the master.
    const env = { CORTEX_REDIS_URL: "redis://:master-pw@127.0.0.1:1", CORTEX_REDIS_OPTIONS: JSON.stringify({ sentinels: [{ host: "127.0.0.1", port: sentinelPort }], name: "fleet" }) };
    const { daemon } = await runFleet(t, root, env, env);
    assert.ok(!daemon.output().includes("master-pw"), "the password in the daemon's log");
  },
);

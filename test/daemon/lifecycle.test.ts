import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { QUEUE_PREFIX } from "../../src/jobs/queue-names.js";
import { fileMode, runDaemonToExit, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { isProcessAlive } from "../../src/platform/lock-file.js";
import type { GetStatusResponse__Output } from "../../src/grpc/generated/cortex/v1/GetStatusResponse.js";

test("starts with defaults on a fresh home: status answers, socket and lock are private, embedded Redis is healthy", async (t) => {
  const home = path.join(tempDir(t), "home");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const s = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  assert.equal(s.home, home);
  assert.equal(s.pid, d.proc.pid);
  assert.equal(s.redis!.mode, "embedded");
  assert.equal(s.redis!.healthy, true);
  assert.match(s.redis!.version, /^\d+\.\d+/);
  assert.deepEqual(s.queues.map((q) => q.queue), ["downloads", "conversions", "quantizations"]);
  assert.ok(s.memory!.budget_bytes > 0 && s.memory!.budget_bytes <= s.memory!.total_bytes);
  assert.equal(s.platform!.arch, process.arch);
  assert.equal(fileMode(d.socket), 0o600);
  assert.equal(fileMode(home), 0o700);
  assert.equal(fs.readFileSync(path.join(home, "cortexd.lock"), "utf8").trim(), String(d.proc.pid));
  assert.ok(fs.existsSync(path.join(home, "redis", "appendonlydir")), "append-only persistence is on");
});

test("a second daemon on the same home refuses to start and names the running one", async (t) => {
  const home = path.join(tempDir(t), "home");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const second = await runDaemonToExit(home);
  assert.equal(second.code, 75);
  assert.match(second.output, new RegExp(`another cortexd \\(pid ${d.proc.pid}\\) is running`));
  // the first one is unharmed
  const s = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  assert.equal(s.redis!.healthy, true);
});

test("SIGTERM shuts down gracefully: exit 0, socket and lock removed, Redis child stopped", async (t) => {
  const home = path.join(tempDir(t), "home");
  const d = await startDaemon(home);
  const redisPid = Number(fs.readFileSync(path.join(home, "redis", "redis.pid"), "utf8"));
  assert.ok(isProcessAlive(redisPid));
  const started = Date.now();
  const code = await d.stop();
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 10_000, "shutdown is bounded");
  assert.equal(fs.existsSync(d.socket), false);
  assert.equal(fs.existsSync(path.join(home, "cortexd.lock")), false);
  for (let i = 0; i < 40 && isProcessAlive(redisPid); i++) await sleep(50);
  assert.equal(isProcessAlive(redisPid), false, "redis-server child stopped");
});

test("after kill -9 the next start recovers (stale socket, lock, orphaned Redis) and queued jobs survive", async (t) => {
  const home = path.join(tempDir(t), "home");
  const d1 = await startDaemon(home);
  const queue = new Queue("downloads", { connection: { path: path.join(home, "redis", "redis.sock") }, prefix: QUEUE_PREFIX });
  // Delayed by an hour so no worker takes it: the assertion is about Redis persistence.
  await queue.add("pull", { repo: "org/model" }, { jobId: "survivor", delay: 3_600_000 });
  await queue.close();
  await d1.kill9();
  assert.ok(fs.existsSync(d1.socket), "kill -9 leaves the socket behind");
  assert.ok(fs.existsSync(path.join(home, "cortexd.lock")), "and the lock");

  const d2 = await startDaemon(home);
  t.after(() => d2.stop());
  const s = await d2.client.unary("cortex.v1.ModelService", "GetStatus", {});
  assert.equal(s.pid, d2.proc.pid);
  assert.equal(s.redis!.healthy, true);
  assert.equal((s.queues.find((q) => q.queue === "downloads") as { delayed?: number } | undefined)?.delayed, 1, "the queued job survived the crash");
});

test("the embedded Redis is restarted when it dies", async (t) => {
  const home = path.join(tempDir(t), "home");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const redisPid = Number(fs.readFileSync(path.join(home, "redis", "redis.pid"), "utf8"));
  process.kill(redisPid, "SIGKILL");
  let s: GetStatusResponse__Output | undefined;
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    s = await d.client.unary("cortex.v1.ModelService", "GetStatus", {}).catch(() => undefined);
    if (s?.redis?.healthy && s.redis.restarts >= 1) break;
  }
  assert.equal(s?.redis?.healthy, true);
  assert.ok((s?.redis?.restarts ?? 0) >= 1);
});

test("an unwritable CORTEX_HOME gives a clear error at start", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "file"), "");
  const r = await runDaemonToExit(path.join(dir, "file", "home"));
  assert.equal(r.code, 73);
  assert.match(r.output, /CORTEX_HOME .*file\/home is not writable/);
});

test("a corrupt config.json stops the start with file, position and reason", async (t) => {
  const home = tempDir(t);
  fs.writeFileSync(path.join(home, "config.json"), "{ \"logLevel\": \"info\" ");
  const r = await runDaemonToExit(home);
  assert.equal(r.code, 78);
  assert.match(r.output, /config\.json:1:\d+ .*is not valid JSON/);
});

test("no redis-server binary: one line saying how to install it", async (t) => {
  const home = tempDir(t);
  const r = await runDaemonToExit(home, [], { CORTEX_REDIS_SERVER: "/nonexistent/redis-server" });
  assert.equal(r.code, 69);
  assert.match(r.output, /redis-server not found: install it \(macOS: brew install redis; Debian\/Ubuntu: sudo apt-get install redis-server\)/);
});

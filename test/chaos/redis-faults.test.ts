import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launchRedis, stopRedis } from "../helpers/redis-server.js";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { socketAnswers } from "../../src/platform/unix-socket.js";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { jobSourceGguf, QUANTIZE, waitFinal } from "./helpers.js";

interface Status { redis: { healthy: boolean; restarts: number } }
const status = (d: RunningDaemon) => d.client.unary("cortex.v1.ModelService", "GetStatus", {}, 5000);

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** An external Redis with append-only persistence on a unix socket, restartable on the same socket and data. */
function externalRedis(t: TestContext, dir: string) {
  const socket = path.join(dir, "ext.sock");
  let proc: ChildProcess | undefined;
  const api = {
    socket,
    async start() {
      proc = await launchRedis(dir, socket, { appendonly: true });
    },
    stop: (signal: NodeJS.Signals) => stopRedis(proc, signal),
  };
  t.after(() => api.stop("SIGKILL"));
  return api;
}

async function quantizeOnce(t: TestContext, d: RunningDaemon, name: string): Promise<void> {
  const id = await QUANTIZE.submit(d.client, "tiny-F16", name);
  const done = await waitFinal(d.client, id, 60_000);
  assert.equal(done.state, "JOB_STATE_COMPLETED", `${done.error_code}: ${done.error_message}`);
  assert.ok(fs.existsSync(path.join(QUANTIZE.outputDir(d.home), `${name}.gguf`)));
  void t;
}

function homeWithTinySource(t: TestContext): string | undefined {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) {
    t.skip(src.skip);
    return undefined;
  }
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "tiny-F16.gguf"));
  return home;
}

test("external Redis stopped and restarted: the daemon keeps answering, reports it unhealthy, reconnects by itself, and jobs run again", async (t) => {
  const home = homeWithTinySource(t);
  if (!home) return;
  const redis = externalRedis(t, tempDir(t, "cxr"));
  await redis.start();
  const d = await startDaemon(home, { args: ["--redis-url", redis.socket], env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  await quantizeOnce(t, d, "before");

  await redis.stop("SIGKILL");
  await until("status shows Redis down", async () => !(await status(d)).redis!.healthy);
  const list = await d.client.unary("cortex.v1.ModelService", "ListModels", {});
  assert.ok(list.models.length >= 1, "the model store answers without Redis");
  const t0 = Date.now();
  const refused = await QUANTIZE.submit(d.client, "tiny-F16", "during").then(
    (id) => ({ id }),
    (err: Error) => ({ err }),
  );
  const waited = Date.now() - t0;
  if ("err" in refused) assert.match(refused.err.message, /^UNAVAILABLE: Redis is not reachable, so cortexd cannot submit the job now/, refused.err.message);
  assert.ok(waited < 15_000, `a submission during the outage answers within 15 s (took ${waited} ms)`);

  await redis.start();
  await until("status shows Redis healthy again", async () => (await status(d)).redis!.healthy);
  await quantizeOnce(t, d, "after");
  if ("id" in refused) {
    const j = await waitFinal(d.client, refused.id, 60_000);
    assert.equal(j.state, "JOB_STATE_COMPLETED", "a job accepted during the outage runs once Redis is back");
  }
});

test("embedded Redis killed with -9 while a job waits: it is restarted from its append-only file and the job completes", async (t) => {
  const home = homeWithTinySource(t);
  if (!home) return;
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1", CORTEX_CONVERSION_CONCURRENCY: "1" } });
  t.after(() => d.stop());
  await quantizeOnce(t, d, "warm");
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push(await QUANTIZE.submit(d.client, "tiny-F16", `queued-${i}`));
  await sleep(1200); // appendfsync everysec: the queued jobs are on disk
  const redisPid = Number(fs.readFileSync(path.join(home, "redis", "redis.pid"), "utf8"));
  process.kill(redisPid, "SIGKILL");
  await until("embedded Redis restarted", async () => {
    const s = await status(d);
    return s.redis!.healthy && s.redis!.restarts >= 1;
  });
  for (const id of ids) {
    const j = await waitFinal(d.client, id, 90_000);
    assert.equal(j.state, "JOB_STATE_COMPLETED", `${id}: ${j.error_code}: ${j.error_message}`);
  }
  await quantizeOnce(t, d, "later");
});

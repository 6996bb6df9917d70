import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FlowProducer, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { cleanups } from "../helpers/cleanups.js";
import { runCli, runDaemonToExit, startDaemon } from "../helpers/daemon.js";
import { launchRedis, stopRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LEGACY_QUEUE_PREFIX, QUEUE_PREFIX } from "../../src/jobs/queue-names.js";

const IDS = { completed: "conv-00000000000000c1", waiting: "pull-00000000000000a2", parent: "quant-0000000000000f3", child: "conv-00000000000000f4" };
const LOCAL_QUEUES = ["downloads", "conversions", "quantizations"] as const;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every key and every value of a Redis, as text (to find a full key left behind inside a value). */
async function dumpAll(r: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await r.keys("*")) {
    const type = await r.type(key);
    const value =
      type === "string" ? await r.get(key)
      : type === "hash" ? JSON.stringify(await r.hgetall(key))
      : type === "set" ? JSON.stringify(await r.smembers(key))
      : type === "zset" ? JSON.stringify(await r.zrange(key, "0", "-1"))
      : type === "list" ? JSON.stringify(await r.lrange(key, 0, -1))
      : type === "stream" ? JSON.stringify(await r.xrange(key, "-", "+"))
      : type;
    out.set(key, value ?? "");
  }
  return out;
}

/** An older cortexd's data: a completed job, a waiting job, a flow whose child waits; its queues paused (so the daemon leaves them be). */
async function writeLegacyJobs(sock: string): Promise<void> {
  const connection = { path: sock };
  const prefix = LEGACY_QUEUE_PREFIX;
  const queues = Object.fromEntries(LOCAL_QUEUES.map((q) => [q, new Queue(q, { connection, prefix })])) as Record<(typeof LOCAL_QUEUES)[number], Queue>;
  await queues.conversions.add("convert", { model: "org/done" }, { jobId: IDS.completed });
  const worker = new Worker("conversions", async () => ({ path: "/models/done.gguf" }), { connection, prefix });
  await until("the legacy job to complete", async () => ((await queues.conversions.getJobState(IDS.completed)) === "completed" ? true : undefined));
  await worker.close();
  await queues.downloads.add("pull", { model: "org/waiting" }, { jobId: IDS.waiting });
  const flow = new FlowProducer({ connection, prefix });
  await flow.add({
    name: "quantize",
    queueName: "quantizations",
    data: { model: "org/flow" },
    opts: { jobId: IDS.parent, failParentOnFailure: true },
    children: [{ name: "convert", queueName: "conversions", data: { model: "org/flow" }, opts: { jobId: IDS.child, failParentOnFailure: true } }],
  });
  await flow.close();
  for (const q of Object.values(queues)) {
    await q.pause();
    await q.close();
  }
}

test("an older cortexd's jobs under cortex: move to {cortex}: at boot; cortex jobs lists them; the flow completes under the new prefix", { timeout: 120_000 }, async (t) => {
  const later = cleanups(t); // before tempDir's hook: the Redis stops before its folder goes
  const home = path.join(tempDir(t, "mig"), "home");
  const dir = path.join(home, "redis");
  const sock = path.join(dir, "redis.sock");
  // The embedded Redis's own AOF, as an older cortexd left it.
  let redis = await launchRedis(dir, sock, { appendonly: true });
  later(() => stopRedis(redis));
  await writeLegacyJobs(sock);
  const r0 = new Redis({ path: sock });
  const before = await dumpAll(r0);
  r0.disconnect();
  assert.ok([...before.values()].some((v) => v.includes(`${LEGACY_QUEUE_PREFIX}:quantizations:${IDS.parent}`)), "the legacy flow stores full keys in values (what the move must rewrite)");
  await stopRedis(redis);

  const d = await startDaemon(home);
  let stopped = false;
  later(() => (stopped ? undefined : d.stop()));
  assert.match(d.output(), /moved the jobs of an older cortexd to the new Redis key prefix/);
  const cli = await runCli(["--home", home, "--json", "jobs"]);
  assert.equal(cli.code, 0, cli.stderr);
  const jobs = new Map((JSON.parse(cli.stdout) as { jobs: { id: string; state: string; result_json: string; parent_job_id: string; model: string }[] }).jobs.map((j) => [j.id, j]));
  assert.equal(jobs.get(IDS.completed)?.state, "JOB_STATE_COMPLETED");
  assert.deepEqual(JSON.parse(jobs.get(IDS.completed)!.result_json), { path: "/models/done.gguf" });
  assert.equal(jobs.get(IDS.waiting)?.state, "JOB_STATE_QUEUED");
  assert.equal(jobs.get(IDS.waiting)?.model, "org/waiting");
  assert.equal(jobs.get(IDS.parent)?.state, "JOB_STATE_WAITING_CHILDREN");
  assert.equal(jobs.get(IDS.child)?.state, "JOB_STATE_QUEUED");
  assert.equal(jobs.get(IDS.child)?.parent_job_id, IDS.parent);
  stopped = true;
  assert.equal(await d.stop(), 0);

  // Nothing of ours is left under the old prefix, and no value names an old key.
  redis = await launchRedis(dir, sock, { appendonly: true });
  const r = new Redis({ path: sock });
  later(() => r.disconnect());
  const after = await dumpAll(r);
  assert.deepEqual([...after.keys()].filter((k) => k.startsWith(`${LEGACY_QUEUE_PREFIX}:`)), []);
  const stale = [...after].filter(([, v]) => new RegExp(`(?<!\\{)${LEGACY_QUEUE_PREFIX}:(${LOCAL_QUEUES.join("|")})`).test(v));
  assert.deepEqual(stale, [], "values still naming a legacy key");

  // BullMQ on the new prefix runs the flow to its end: the child, then the parent with the child's value.
  const connection = { path: sock };
  const prefix = QUEUE_PREFIX;
  const conversions = new Queue("conversions", { connection, prefix });
  const quantizations = new Queue("quantizations", { connection, prefix });
  const downloads = new Queue("downloads", { connection, prefix });
  later(() => Promise.all([conversions.close(), quantizations.close(), downloads.close()]));
  assert.equal(await downloads.getJobState(IDS.waiting), "waiting");
  assert.deepEqual((await conversions.getJob(IDS.completed))?.returnvalue, { path: "/models/done.gguf" });
  let childValues: Record<string, unknown> = {};
  const workers = [
    new Worker("conversions", async () => ({ path: "/models/flow.gguf" }), { connection, prefix }),
    new Worker("quantizations", async (job: Job) => ((childValues = await job.getChildrenValues()), { path: "/models/flow-Q4_0.gguf" }), { connection, prefix }),
  ];
  later(() => Promise.all(workers.map((w) => w.close())));
  await conversions.resume();
  await quantizations.resume();
  await until("the flow's parent to complete", async () => ((await quantizations.getJobState(IDS.parent)) === "completed" ? true : undefined));
  assert.deepEqual(childValues, { [`${QUEUE_PREFIX}:conversions:${IDS.child}`]: { path: "/models/flow.gguf" } });
});

test("keys under both prefixes: cortexd refuses to start (REDIS_PREFIX_CONFLICT naming one of each, exit 78) and moves nothing", { timeout: 60_000 }, async (t) => {
  const later = cleanups(t); // before tempDir's hook: the Redis stops before its folder goes
  const home = path.join(tempDir(t, "mig"), "home");
  const dir = path.join(home, "redis");
  const sock = path.join(dir, "redis.sock");
  let redis = await launchRedis(dir, sock, { appendonly: true });
  later(() => stopRedis(redis));
  const legacy = new Queue("downloads", { connection: { path: sock }, prefix: LEGACY_QUEUE_PREFIX });
  await legacy.add("pull", { model: "org/old" }, { jobId: "pull-00000000000000b1", delay: 3_600_000 });
  await legacy.close();
  const current = new Queue("quantizations", { connection: { path: sock }, prefix: QUEUE_PREFIX });
  await current.add("quantize", { model: "org/new" }, { jobId: "quant-00000000000000b2", delay: 3_600_000 });
  await current.close();
  await stopRedis(redis);

  const { code, output } = await runDaemonToExit(home);
  assert.equal(code, 78, output);
  assert.match(output, /REDIS_PREFIX_CONFLICT/);
  assert.match(output, /old prefix \(cortex:downloads:[^)]*\) and the new one \(\{cortex\}:quantizations:[^)]*\)/);

  redis = await launchRedis(dir, sock, { appendonly: true });
  const r = new Redis({ path: sock });
  later(() => r.disconnect());
  assert.ok((await r.exists(`${LEGACY_QUEUE_PREFIX}:downloads:pull-00000000000000b1`)) === 1, "the old job is where it was");
  assert.ok((await r.exists(`${QUEUE_PREFIX}:quantizations:quant-00000000000000b2`)) === 1, "the new job is where it was");
});

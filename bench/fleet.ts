import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_PREFIX } from "../src/jobs/queue-names.js";
import { launchRedis, stopRedis } from "../test/helpers/redis-server.js";

/**
 * `node dist/bench/fleet.js [jobs] [ms]`: throughput of N = 1, 2, 3 fleet worker processes sharing one Redis on a
 * synthetic job mix (each job waits `ms` and reports progress 4 times, standing for work done elsewhere), and the
 * Redis commands each job costs (INFO commandstats, everything the workers, heartbeats and producer sent).
 * Then redis-benchmark on the same Redis gives the commands/s one Redis carries here, and so the jobs/s and the
 * number of such workers at which it saturates.
 */
const JOBS = Number(process.argv[2] ?? 60);
const MS = Number(process.argv[3] ?? 300);
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
const sock = path.join(dir, "r.sock");
const redisProc = await launchRedis(path.join(dir, "redis"), sock);
const redis = new Redis({ path: sock });

async function commandsProcessed(): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info("stats"))![1]);
}

async function round(n: number): Promise<{ n: number; seconds: number; jobsPerSecond: number; commandsPerJob: number }> {
  await redis.flushall();
  const procs: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const p = spawn(process.execPath, [path.join(here, "fleet-worker-proc.js")], { env: { ...process.env, BENCH_REDIS: sock, BENCH_HOME: path.join(dir, `w${i}`) }, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((r) => p.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && r()));
    procs.push(p);
  }
  const queue = new Queue("quantizations-gguf", { connection: { path: sock }, prefix: QUEUE_PREFIX });
  const events = new QueueEvents("quantizations-gguf", { connection: { path: sock }, prefix: QUEUE_PREFIX });
  await events.waitUntilReady();
  let done = 0;
  const all = new Promise<void>((r) => events.on("completed", () => ++done === JOBS && r()));
  const before = await commandsProcessed();
  const t0 = performance.now();
  await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: "quantize", data: { model: `bench-${i}`, ms: MS }, opts: { jobId: `quant-gguf-${i.toString(16).padStart(16, "a")}`, removeOnComplete: { age: 3600, count: 1000 } } })));
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const commands = (await commandsProcessed()) - before;
  await Promise.all(procs.map((p) => new Promise((r) => (p.once("exit", r), p.kill("SIGTERM")))));
  await events.close();
  await queue.close();
  return { n, seconds, jobsPerSecond: JOBS / seconds, commandsPerJob: commands / JOBS };
}

console.log(`# fleet — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, node ${process.version}; ${JOBS} jobs of ${MS} ms, concurrency 1 per worker`);
const rows = [];
for (const n of [1, 2, 3]) {
  const r = await round(n);
  rows.push(r);
  console.log(`N=${n}: ${r.seconds.toFixed(2)} s, ${r.jobsPerSecond.toFixed(2)} jobs/s (ideal ${((n * 1000) / MS).toFixed(2)}), ${r.commandsPerJob.toFixed(1)} Redis commands per job`);
}
const bench = execFileSync("redis-benchmark", ["-s", sock, "-n", "100000", "-c", "50", "-q", "-t", "set,get,incr,lpush,zadd"], { encoding: "utf8" });
const rates = [...bench.matchAll(/([\d.]+) requests per second/g)].map((m) => Number(m[1]));
const capacity = rates.reduce((a, b) => a + b, 0) / rates.length;
const perJob = rows.reduce((a, r) => a + r.commandsPerJob, 0) / rows.length;
console.log(`redis-benchmark (set,get,incr,lpush,zadd; 50 clients): ${Math.round(capacity)} commands/s on average`);
console.log(`one Redis carries ≈ ${Math.round(capacity / perJob)} jobs/s at ${perJob.toFixed(1)} commands per job; with jobs of ${MS} ms (${(1000 / MS).toFixed(2)} jobs/s per worker) it saturates at ≈ ${Math.round(capacity / perJob / (1000 / MS))} workers (jobs of 5 min: ≈ ${Math.round((capacity / perJob) * 300)} workers)`);
redis.disconnect();
await stopRedis(redisProc);
fs.rmSync(dir, { recursive: true, force: true });

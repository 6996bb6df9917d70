import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { Redis } from "ioredis";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { CLI_MAIN, rpcError, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { waitFinal, waitJob } from "../helpers/jobs.js";
import { launchRedis, stopRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startHub } from "../hub/hub-fixtures.js";
import { TEST_TOKEN } from "../hub/loopback-hub.js";
import { QUEUE_PREFIX } from "../../src/jobs/queue-names.js";
import type { GetStatusResponse__Output } from "../../src/grpc/generated/cortex/v1/GetStatusResponse.js";

/** A `cortex worker` process with its own home and HF cache, as another machine would be. */
interface WorkerProc {
  name: string;
  home: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startWorker(root: string, name: string, env: Record<string, string>, args: string[] = []): Promise<WorkerProc> {
  const home = path.join(root, name);
  const proc = spawn(process.execPath, [CLI_MAIN, "worker", "--home", home, "--log-level", "info", ...args], {
    env: { ...process.env, CORTEX_TOKEN: "", HF_HUB_CACHE: path.join(home, "hf"), HF_TOKEN: TEST_TOKEN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('"cortex worker ready"')) {
    if (proc.exitCode !== null) throw new Error(`worker ${name} exited ${proc.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`worker ${name} did not start:\n${out}`);
    await sleep(50);
  }
  return { name, home, proc, output: () => out, exited };
}

const status = (d: RunningDaemon) => d.client.unary("cortex.v1.ModelService", "GetStatus", {}) as Promise<GetStatusResponse__Output>;
const sha256File = (p: string) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");

/** grpc.health.v1 Check on a worker's own socket. */
function healthCheck(socket: string): Promise<string> {
  const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  const Health = (grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }).grpc.health.v1.Health;
  const client = new Health(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Check: (req: object, cb: (err: grpc.ServiceError | null, res: { status: string }) => void) => void };
  return new Promise((resolve, reject) =>
    client.Check({ service: "" }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    }),
  );
}

const TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K"];
const JOBS = 12;

test(
  "fleet: three cortex workers and a daemon share one Redis; a worker killed -9 mid-job, every job completes exactly once; cancel reaches a remote job in < 2 s; an unserved capability fails FLEET_NO_WORKER",
  { skip: tinyModelsUnavailable(), timeout: 300_000 },
  async (t) => {
    const root = tempDir(t, "fleet");
    const started = performance.now();
    const phase = (name: string) => t.diagnostic(`${name}: ${Math.round(performance.now() - started)} ms`);
    const redisSock = path.join(root, "r.sock");
    const redis = await launchRedis(path.join(root, "redis"), redisSock);
    t.after(() => stopRedis(redis));
    const model = fs.readFileSync(tinyModel());
    const hub = await startHub(t, {
      "org/tiny": { files: { "model.gguf": { data: model, lfs: true }, "README.md": { data: Buffer.from("# tiny\n") } } },
      "org/slow": { files: { "slow.gguf": { data: model, lfs: true } } },
    });
    // The first fetch of the input on each worker takes a few seconds: long enough to kill a worker mid-job.
    hub.faults.set("model.gguf", { throttle: 3 * 1024 * 1024 });
    hub.faults.set("slow.gguf", { throttle: 64 * 1024 });
    const commit = hub.commitOf("org/tiny");
    const shared = path.join(root, "shared");
    fs.mkdirSync(shared, { recursive: true });
    const env = { CORTEX_REDIS_URL: redisSock, CORTEX_SHARED_ROOTS: shared, HF_ENDPOINT: hub.url, CORTEX_THREADS: "1" };

    const daemon = await startDaemon(path.join(root, "daemon"), { env: { ...env, CORTEX_FLEET_WAIT_TIMEOUT_MS: "4000", HF_HUB_CACHE: path.join(root, "daemon-hf") } });
    t.after(() => daemon.stop());
    const workers: WorkerProc[] = [];
    t.after(() => Promise.all(workers.map((w) => (w.proc.exitCode === null ? (w.proc.kill("SIGKILL"), w.exited) : undefined))));
    for (const name of ["w1", "w2", "w3"]) workers.push(await startWorker(root, name, env, ["--capabilities", "gguf"]));

    phase("daemon and 3 workers up");
    // cortex status on the daemon lists every worker: host, capabilities, queues, heartbeat.
    const s0 = await status(daemon);
    const listed = s0.workers.filter((w) => w.role === "worker");
    assert.equal(listed.length, 3, JSON.stringify(s0.workers));
    for (const w of listed) {
      assert.deepEqual(w.capabilities, ["gguf"]);
      assert.deepEqual([...w.queues].sort(), ["conversions-gguf", "quantizations-gguf"]);
      assert.ok(Date.now() - Date.parse(w.last_heartbeat) < 15_000);
    }
    assert.equal(s0.workers.filter((w) => w.role === "daemon").length, 1);
    assert.equal(await healthCheck(path.join(workers[0]!.home, "worker.sock")), "SERVING");

    // The batch: quantizations of org/tiny@commit (fetched by each worker into its own HF cache) into the shared root.
    const out = path.join(shared, "out");
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const h = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/tiny@${commit}`, type: TYPES[i % TYPES.length], output_name: `tiny-${i}`, threads: 1, destination: `shared:${out}` });
      assert.match(h.job_id, /^quant-gguf-/);
      ids.push(h.job_id);
    }
    // Kill -9 a worker while it runs a job.
    let victim: { worker: WorkerProc; job: string } | undefined;
    for (let i = 0; i < 400 && !victim; i++) {
      const s = await status(daemon);
      for (const w of s.workers) {
        const proc = workers.find((x) => w.role === "worker" && x.proc.pid === w.pid);
        if (proc && w.running_job_ids.length) victim = { worker: proc, job: w.running_job_ids[0]! };
      }
      if (!victim) await sleep(25);
    }
    assert.ok(victim, "no worker was seen running a job");
    victim.worker.proc.kill("SIGKILL");
    await victim.worker.exited;
    phase(`killed ${victim.worker.name} running ${victim.job}`);

    const finals = await Promise.all(ids.map((id) => waitFinal(daemon.client, id, 180_000)));
    phase("batch done");
    for (const j of finals) assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.id}: ${j.error_code} ${j.error_message}`);
    // Exactly once: Redis holds each job once, completed; each output exists once with the sha256 its job reported.
    const r = new Redis({ path: redisSock });
    const [completedCount, failedCount] = [await r.zcard(`${QUEUE_PREFIX}:quantizations-gguf:completed`), await r.zcard(`${QUEUE_PREFIX}:quantizations-gguf:failed`)];
    r.disconnect();
    assert.equal(completedCount, JOBS);
    assert.equal(failedCount, 0);
    for (const [i, j] of finals.entries()) {
      const result = JSON.parse(j.result_json) as { path: string; sha256: string };
      assert.equal(result.path, path.join(out, `tiny-${i}.gguf`));
      assert.equal(sha256File(result.path), result.sha256);
    }
    const outputs = fs.readdirSync(out).filter((f) => f.endsWith(".gguf"));
    assert.equal(outputs.length, JOBS, outputs.join(" "));
    // Every "job completed" line across the surviving workers' logs names a distinct job.
    const completedLines = workers.flatMap((w) => [...w.output().matchAll(/"jobId":"([^"]+)"[^\n]*"msg":"job completed"/g)].map((m) => m[1]!));
    assert.equal(new Set(completedLines).size, completedLines.length, "a job completed twice");
    const victimJob = finals.find((j) => j.id === victim!.job)!;
    assert.equal(victimJob.state, "JOB_STATE_COMPLETED");

    // Identical to a single-machine run: the daemon quantizes the same input locally, byte for byte the same.
    fs.mkdirSync(path.join(daemon.home, "models"), { recursive: true });
    fs.copyFileSync(tinyModel(), path.join(daemon.home, "models", "tiny.gguf"));
    for (const type of TYPES.slice(0, 2)) {
      const h = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: "tiny", type, output_name: `local-${type}`, threads: 1, destination: "" });
      assert.match(h.job_id, /^quant-(?!gguf-|mlx-)/, "a local job stays on the local queue");
      const j = await waitFinal(daemon.client, h.job_id, 60_000);
      assert.equal(j.state, "JOB_STATE_COMPLETED", j.error_message);
      const i = TYPES.indexOf(type);
      assert.equal((JSON.parse(j.result_json) as { sha256: string }).sha256, (JSON.parse(finals[i]!.result_json) as { sha256: string }).sha256, type);
    }

    phase("single-machine reference done");

    // Outputs published to the Hub: one commit per job (its title names the job), a model card with the sha256s.
    const pushed = [];
    for (const type of ["Q4_0", "Q8_0"]) {
      const h = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/tiny@${commit}`, type, output_name: `tiny-${type}`, threads: 1, destination: "hub:me/tiny-gguf" });
      pushed.push(h.job_id);
    }
    const pushedJobs = await Promise.all(pushed.map((id) => waitFinal(daemon.client, id, 120_000)));
    const log = hub.write.commitLog["me/tiny-gguf"] ?? [];
    assert.equal(log.length, 2, JSON.stringify(log));
    for (const j of pushedJobs) {
      assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.error_code} ${j.error_message}`);
      const r2 = JSON.parse(j.result_json) as { sha256: string; path: string; hub: { commit: string } };
      const entry = log.find((c) => c.title.includes(j.id));
      assert.ok(entry, `no commit names ${j.id}`);
      assert.equal(entry.id, r2.hub.commit);
      const file = hub.repos["me/tiny-gguf"]!.files[path.basename(r2.path)]!;
      assert.equal(crypto.createHash("sha256").update(file.data).digest("hex"), r2.sha256);
      // The card of the job's own commit names the source, its revision and the file's sha256.
      const repoState = hub.repos["me/tiny-gguf"]!;
      const tree = entry.id === hub.commitOf("me/tiny-gguf") ? repoState.files : repoState.commits![entry.id]!;
      const card = tree["README.md"]!.data.toString();
      assert.match(card, new RegExp(`base_model: org/tiny[\\s\\S]*${commit}[\\s\\S]*${r2.sha256}`));
    }
    phase("hub pushes done");
    // A cancel from the daemon reaches the job running on a worker in under 2 s.
    const slow = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/slow@${hub.commitOf("org/slow")}`, type: "Q4_0", output_name: "slow", threads: 1, destination: `shared:${out}` });
    await waitJob(daemon.client, slow.job_id, (j) => j.state === "JOB_STATE_ACTIVE" && j.progress?.phase === "fetching input", 60_000);
    const t0 = performance.now();
    const cancelled = await daemon.client.unary("cortex.v1.JobService", "CancelJob", { job_id: slow.job_id, reason: "test" });
    const cancelMs = performance.now() - t0;
    assert.equal(cancelled.state, "JOB_STATE_CANCELLED", JSON.stringify(cancelled));
    assert.ok(cancelMs < 2000, `cancel took ${cancelMs} ms`);
    phase(`cancel took ${Math.round(cancelMs)} ms`);

    // A capability no worker has: the job waits, status says why, then it fails FLEET_NO_WORKER.
    const mlx = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/tiny@${commit}`, type: "mlx", output_name: "m", threads: 0, destination: `shared:${out}` });
    assert.match(mlx.job_id, /^quant-mlx-/);
    const s1 = await status(daemon);
    const q = s1.queues.find((x) => x.queue === "quantizations-mlx")!;
    assert.equal(q.workers, 0);
    assert.match(q.note, /no connected worker serves quantizations with capability mlx/);
    const unserved = await waitFinal(daemon.client, mlx.job_id, 30_000);
    assert.equal(unserved.state, "JOB_STATE_FAILED");
    assert.equal(unserved.error_code, "FLEET_NO_WORKER");

    // A fleet job's source must be location-independent.
    const e = await rpcError(daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: "tiny", type: "Q4_0", output_name: "x", threads: 0, destination: `shared:${out}` }));
    assert.match(e.message, /FAILED_PRECONDITION|org\/name@commit/);

    phase("unserved job failed");
    // Graceful stop of a worker: deregistered, exit 0, nothing left running.
    const w = workers.find((x) => x.proc.exitCode === null)!;
    w.proc.kill("SIGTERM");
    assert.equal(await w.exited, 0, w.output());
    const s2 = await status(daemon);
    assert.ok(!s2.workers.some((x) => x.pid === w.proc.pid), "a stopped worker is still listed");
  },
);

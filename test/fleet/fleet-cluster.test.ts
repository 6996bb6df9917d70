import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster } from "ioredis";
import { cleanups } from "../helpers/cleanups.js";
import { startDaemon } from "../helpers/daemon.js";
import { assertRemoteCancel, checkpointFiles, fleetStatus, killWorkers, queueTotals, sha256File, waitAll } from "../helpers/fleet.js";
import { startWorker, type WorkerProc } from "../helpers/fleet-worker.js";
import { waitFinal } from "../helpers/jobs.js";
import { redisClusterUnavailable, startRedisCluster } from "../helpers/redis-cluster.js";
import { tempDir } from "../helpers/temp-dir.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startHub } from "../hub/hub-fixtures.js";
import { TEST_TOKEN } from "../hub/loopback-hub.js";
import { QUEUE_PREFIX } from "../../src/jobs/queue-names.js";

const TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0"];
const SHARED_JOBS = 6;
const HUB_JOBS = 2;

test(
  "fleet on a Redis Cluster (3 masters, CORTEX_REDIS_CLUSTER=1): a daemon and 2 cortex workers run a batch of quantizations to a shared root and the Hub exactly once, a pull→convert flow across queues completes, cancel from the daemon reaches a worker's job, status watches every master",
  { skip: tinyModelsUnavailable() || redisClusterUnavailable(), timeout: 300_000 },
  async (t) => {
    const later = cleanups(t); // before tempDir's hook: the cluster stops before its folders go
    const root = tempDir(t, "fcl");
    const started = performance.now();
    const phase = (name: string) => t.diagnostic(`${name}: ${Math.round(performance.now() - started)} ms`);
    const cluster = await startRedisCluster(path.join(root, "cluster"));
    later(() => cluster.stop());
    phase(`cluster up on ports ${cluster.ports.join(", ")}`);
    const model = fs.readFileSync(tinyModel());
    const hub = await startHub(t, {
      "org/tiny": { files: { "model.gguf": { data: model, lfs: true } } },
      "org/slow": { files: { "slow.gguf": { data: model, lfs: true } } },
      "org/ckpt": { files: await checkpointFiles(path.join(root, "ckpt")) },
    });
    hub.faults.set("slow.gguf", { throttle: 64 * 1024 });
    const source = `org/tiny@${hub.commitOf("org/tiny")}`;
    const shared = path.join(root, "shared");
    const out = path.join(shared, "out");
    fs.mkdirSync(shared, { recursive: true });
    // The seed is a node that does not hold the queues' slot: only a cluster client reaches the queues through it.
    const env = { CORTEX_REDIS_URL: await cluster.urlAvoiding(`${QUEUE_PREFIX}:quantizations-gguf:id`), CORTEX_REDIS_CLUSTER: "1", CORTEX_SHARED_ROOTS: shared, HF_ENDPOINT: hub.url, CORTEX_THREADS: "1" };

    const daemon = await startDaemon(path.join(root, "daemon"), { env: { ...env, HF_HUB_CACHE: path.join(root, "daemon-hf"), HF_TOKEN: TEST_TOKEN } });
    later(() => daemon.stop());
    const workers: WorkerProc[] = [];
    later(() => killWorkers(workers));
    for (const name of ["w1", "w2"]) workers.push(await startWorker(root, name, env, ["--capabilities", "gguf"]));
    phase("daemon and 2 workers up");

    const s0 = await fleetStatus(daemon);
    assert.equal(s0.redis?.healthy, true, "the watchdog hears every master");
    assert.equal(s0.workers.filter((w) => w.role === "worker").length, 2, JSON.stringify(s0.workers));
    assert.equal(s0.queues.find((q) => q.queue === "quantizations-gguf")?.workers, 2);

    // The batch: quantizations of the Hub model, fetched by each worker, into the shared root and to the Hub.
    const batch: { id: string; destination: string }[] = [];
    for (let i = 0; i < SHARED_JOBS + HUB_JOBS; i++) {
      const destination = i < SHARED_JOBS ? `shared:${out}` : "hub:me/tiny-gguf";
      const h = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: source, type: TYPES[i % TYPES.length], output_name: `tiny-${i}`, threads: 1, destination });
      assert.match(h.job_id, /^quant-gguf-/);
      batch.push({ id: h.job_id, destination });
    }
    // A flow on the daemon's own queues: its parent (conversions) and its children (downloads, conversions) share a slot.
    const flow = await daemon.client.unary("cortex.v1.JobService", "SubmitBatch", { flows: [{ pull: { repo: "org/ckpt" }, quantize_types: ["Q8_0"] }] });
    const finals = await waitAll(daemon, batch.map((b) => b.id), 180_000);
    phase("batch done");
    for (const j of finals) assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.id}: ${j.error_code} ${j.error_message}`);
    const flowJob = await waitFinal(daemon.client, flow.jobs[0]!.job_id, 120_000);
    assert.equal(flowJob.state, "JOB_STATE_COMPLETED", `${flowJob.error_code}: ${flowJob.error_message}`);
    assert.ok(fs.existsSync(path.join(daemon.home, "quantized_models", "ckpt-Q8_0.gguf")), "the flow's output");
    phase("flow done");

    // Exactly once, by the cluster's own counts, by the outputs, and by the Hub's commit log.
    const c = new Cluster([{ host: "127.0.0.1", port: cluster.ports[1]! }]);
    later(() => c.disconnect());
    assert.deepEqual(await queueTotals(c, QUEUE_PREFIX, ["quantizations-gguf"]), { "quantizations-gguf": { completed: SHARED_JOBS + HUB_JOBS, failed: 0 } });
    for (const [i, j] of finals.slice(0, SHARED_JOBS).entries()) {
      const result = JSON.parse(j.result_json) as { path: string; sha256: string };
      assert.equal(result.path, path.join(out, `tiny-${i}.gguf`));
      assert.equal(sha256File(result.path), result.sha256);
    }
    assert.equal(fs.readdirSync(out).filter((f) => f.endsWith(".gguf")).length, SHARED_JOBS);
    const commits = hub.write.commitLog["me/tiny-gguf"] ?? [];
    assert.equal(commits.length, HUB_JOBS, JSON.stringify(commits.map((x) => x.title)));
    for (const j of finals.slice(SHARED_JOBS)) assert.equal(commits.filter((x) => x.title.includes(j.id)).length, 1, `${j.id}: one commit`);
    const completedLines = workers.flatMap((w) => [...w.output().matchAll(/"jobId":"([^"]+)"[^\n]*"msg":"job completed"/g)].map((m) => m[1]!));
    assert.deepEqual([...completedLines].sort(), batch.map((b) => b.id).sort(), "each job completed once, on a worker");

    // A cancel from the daemon reaches the job a worker runs (pub/sub through the cluster).
    const cancelMs = await assertRemoteCancel(daemon, `org/slow@${hub.commitOf("org/slow")}`, out, workers);
    phase(`cancel took ${Math.round(cancelMs)} ms`);

    // A master that stops answering (SIGSTOP; one without the queues' slot, well inside the cluster's 5 s node
    // timeout) reads as Redis unhealthy within about a second, and healthy again once it answers.
    const owner = await cluster.ownerOf(`${QUEUE_PREFIX}:quantizations-gguf:id`);
    const frozen = cluster.procs.get(cluster.ports.find((p) => p !== owner)!)!;
    frozen.kill("SIGSTOP");
    const stoppedAt = performance.now();
    let unhealthyAfter: number | undefined;
    try {
      while (unhealthyAfter === undefined && performance.now() - stoppedAt < 2500) {
        if ((await fleetStatus(daemon)).redis?.healthy === false) unhealthyAfter = performance.now() - stoppedAt;
        else await sleep(100);
      }
    } finally {
      frozen.kill("SIGCONT");
    }
    assert.ok(unhealthyAfter !== undefined, "a frozen master went unnoticed");
    phase(`a frozen master read as unhealthy after ${Math.round(unhealthyAfter)} ms`);
    const deadline = Date.now() + 10_000;
    while ((await fleetStatus(daemon)).redis?.healthy !== true) {
      assert.ok(Date.now() < deadline, "healthy again after SIGCONT");
      await sleep(100);
    }
  },
);

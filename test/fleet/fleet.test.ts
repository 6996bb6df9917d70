import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { rpcError, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { assertRemoteCancel, checkpointFiles, fleetStatus, healthCheck, killWorkers, queueTotals, sha256File, waitAll } from "../helpers/fleet.js";
import { startWorker, type WorkerProc } from "../helpers/fleet-worker.js";
import { waitFinal } from "../helpers/jobs.js";
import { launchRedis, stopRedis } from "../helpers/redis-server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { sha256, startHub } from "../hub/hub-fixtures.js";
import { QUEUE_PREFIX } from "../../src/jobs/queue-names.js";
import { TEST_TOKEN } from "../hub/loopback-hub.js";

/** The batch's recipes: quantizations of a tiny GGUF and conversions of a tiny HF checkpoint, each run several times. */
const QUANT_TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K"];
const CONVERT_OUTTYPES = ["f16", "bf16", "q8_0", "Q4_0"];
const JOBS = 60;
interface Recipe {
  kind: "quantize" | "convert";
  type: string;
}
const RECIPES: Recipe[] = [...QUANT_TYPES.map((type) => ({ kind: "quantize" as const, type })), ...CONVERT_OUTTYPES.map((type) => ({ kind: "convert" as const, type }))];
const recipeKey = (r: Recipe) => `${r.kind}-${r.type}`;
/** The Hub repo a recipe's outputs are pushed to (one commit per job). */
const repoOf = (r: Recipe) => `me/out-${r.kind}-${r.type.toLowerCase()}`;

/** Submits one recipe as a job; `destination` empty = a local job of the submitting daemon. */
async function submit(d: RunningDaemon, r: Recipe, source: string, outputName: string, destination: string): Promise<string> {
  const h =
    r.kind === "quantize"
      ? await d.client.unary("cortex.v1.JobService", "QuantizeModel", { model: source, type: r.type, output_name: outputName, threads: 1, destination })
      : await d.client.unary("cortex.v1.JobService", "ConvertModel", { source, target: "TARGET_FORMAT_GGUF", outtype: r.type, output_name: outputName, destination });
  return h.job_id;
}

test(
  "fleet: three cortex workers and a daemon share one Redis; 60 conversions and quantizations from the Hub pushed to the Hub, a worker killed -9 mid-job, every job completes exactly once with the bytes of a single-machine run; cancel reaches a remote job in < 2 s; an unserved capability fails FLEET_NO_WORKER",
  { skip: tinyModelsUnavailable(), timeout: 400_000 },
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
      "org/ckpt": { files: await checkpointFiles(path.join(root, "ckpt")) },
      "org/slow": { files: { "slow.gguf": { data: model, lfs: true } } },
    });
    // The first fetch of the input on each worker takes a few seconds: long enough to kill a worker mid-job.
    hub.faults.set("model.gguf", { throttle: 3 * 1024 * 1024 });
    hub.faults.set("slow.gguf", { throttle: 64 * 1024 });
    const sources = { quantize: `org/tiny@${hub.commitOf("org/tiny")}`, convert: `org/ckpt@${hub.commitOf("org/ckpt")}` };
    const commit = hub.commitOf("org/tiny");
    const shared = path.join(root, "shared");
    fs.mkdirSync(shared, { recursive: true });
    const env = { CORTEX_REDIS_URL: redisSock, CORTEX_SHARED_ROOTS: shared, HF_ENDPOINT: hub.url, CORTEX_THREADS: "1" };

    const daemon = await startDaemon(path.join(root, "daemon"), { env: { ...env, CORTEX_FLEET_WAIT_TIMEOUT_MS: "4000", HF_HUB_CACHE: path.join(root, "daemon-hf"), HF_TOKEN: TEST_TOKEN } });
    t.after(() => daemon.stop());
    const workers: WorkerProc[] = [];
    t.after(() => killWorkers(workers));
    for (const name of ["w1", "w2", "w3"]) workers.push(await startWorker(root, name, env, ["--capabilities", "gguf"]));

    phase("daemon and 3 workers up");
    // cortex status on the daemon lists every worker: host, capabilities, queues, heartbeat.
    const s0 = await fleetStatus(daemon);
    const listed = s0.workers.filter((w) => w.role === "worker");
    assert.equal(listed.length, 3, JSON.stringify(s0.workers));
    for (const w of listed) {
      assert.deepEqual(w.capabilities, ["gguf"]);
      assert.deepEqual([...w.queues].sort(), ["conversions-gguf", "quantizations-gguf"]);
      assert.ok(Date.now() - Date.parse(w.last_heartbeat) < 15_000);
    }
    assert.equal(s0.workers.filter((w) => w.role === "daemon").length, 1);
    assert.equal(await healthCheck(path.join(workers[0]!.home, "worker.sock")), "SERVING");

    // The batch: each recipe several times, inputs fetched by each worker into its own HF cache from the Hub,
    // outputs pushed to the Hub (one repo per recipe, one commit per job).
    const batch: { id: string; recipe: Recipe; name: string }[] = [];
    for (let i = 0; i < JOBS; i++) {
      const recipe = RECIPES[i % RECIPES.length]!;
      const name = `tiny-${i}`;
      const id = await submit(daemon, recipe, sources[recipe.kind], name, `hub:${repoOf(recipe)}`);
      assert.match(id, recipe.kind === "quantize" ? /^quant-gguf-/ : /^conv-gguf-/);
      batch.push({ id, recipe, name });
    }
    // Kill -9 a worker while it runs a job.
    let victim: { worker: WorkerProc; job: string } | undefined;
    for (let i = 0; i < 400 && !victim; i++) {
      const s = await fleetStatus(daemon);
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

    const finals = await waitAll(daemon, batch.map((b) => b.id), 240_000);
    phase("batch done");
    for (const j of finals) assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.id}: ${j.error_code} ${j.error_message}`);
    // Exactly once, by Redis: each queue holds each of its jobs once, completed, none failed.
    const r = new Redis({ path: redisSock });
    const counts = await queueTotals(r, QUEUE_PREFIX, ["quantizations-gguf", "conversions-gguf"]);
    r.disconnect();
    const nQuant = batch.filter((b) => b.recipe.kind === "quantize").length;
    assert.deepEqual(counts, { "quantizations-gguf": { completed: nQuant, failed: 0 }, "conversions-gguf": { completed: JOBS - nQuant, failed: 0 } });
    // Exactly once, by the Hub: one commit per job (its title names the job), none twice, the file it pushed has
    // the sha256 the job reported.
    const commits = Object.entries(hub.write.commitLog).flatMap(([repo, log]) => log.map((c) => ({ repo, ...c })));
    assert.equal(commits.length, JOBS, JSON.stringify(commits.map((c) => c.title)));
    const fleetSha = new Map<string, string>();
    for (const [i, j] of finals.entries()) {
      const { recipe, name } = batch[i]!;
      const named = commits.filter((c) => c.title.includes(j.id));
      assert.equal(named.length, 1, `${j.id}: ${named.length} commits`);
      assert.equal(named[0]!.repo, repoOf(recipe));
      const result = JSON.parse(j.result_json) as { path: string; sha256: string; hub: { commit: string } };
      assert.equal(result.hub.commit, named[0]!.id);
      // A conversion's output name carries its type (tiny-6-F16.gguf).
      const file = path.basename(result.path);
      assert.match(file, new RegExp(`^${name}(-[A-Za-z0-9_]+)?\\.gguf$`));
      const repoState = hub.repos[repoOf(recipe)]!;
      const tree = named[0]!.id === hub.commitOf(repoOf(recipe)) ? repoState.files : repoState.commits![named[0]!.id]!;
      assert.equal(sha256(tree[file]!.data), result.sha256, `${j.id}: the Hub holds what the job reported`);
      // Every run of a recipe made the same bytes, whichever worker ran it.
      const key = recipeKey(recipe);
      assert.equal(fleetSha.get(key) ?? result.sha256, result.sha256, `${key}: two fleet runs differ`);
      fleetSha.set(key, result.sha256);
      // The card of the job's own commit names the source, its revision and the file's sha256.
      const card = tree["README.md"]!.data.toString();
      const [srcRepo, srcRev] = sources[recipe.kind].split("@") as [string, string];
      assert.match(card, new RegExp(`base_model: ${srcRepo}[\\s\\S]*${srcRev}[\\s\\S]*${result.sha256}`));
    }
    // Every "job completed" line across the surviving workers' logs names a distinct job.
    const completedLines = workers.flatMap((w) => [...w.output().matchAll(/"jobId":"([^"]+)"[^\n]*"msg":"job completed"/g)].map((m) => m[1]!));
    assert.equal(new Set(completedLines).size, completedLines.length, "a job completed twice");
    assert.equal(finals.find((j) => j.id === victim!.job)!.state, "JOB_STATE_COMPLETED");
    phase("batch checked");

    // Identical to a single-machine run: the daemon pulls the same inputs and runs every recipe itself, locally.
    for (const src of Object.values(sources)) {
      const [repo, revision] = src.split("@") as [string, string];
      const p = await daemon.client.unary("cortex.v1.JobService", "PullModel", { repo, revision });
      const pulled = await waitFinal(daemon.client, p.job_id, 60_000);
      assert.equal(pulled.state, "JOB_STATE_COMPLETED", `${pulled.error_code} ${pulled.error_message}`);
    }
    const local: string[] = [];
    for (const recipe of RECIPES) {
      const id = await submit(daemon, recipe, sources[recipe.kind], `local-${recipeKey(recipe)}`, "");
      assert.match(id, /^(quant|conv)-(?!gguf-|mlx-)/, "a local job stays on the local queue");
      local.push(id);
    }
    for (const [i, j] of (await waitAll(daemon, local, 120_000)).entries()) {
      assert.equal(j.state, "JOB_STATE_COMPLETED", `${j.id}: ${j.error_code} ${j.error_message}`);
      const result = JSON.parse(j.result_json) as { path: string; sha256: string };
      assert.equal(sha256File(result.path), result.sha256);
      const key = recipeKey(RECIPES[i]!);
      assert.equal(result.sha256, fleetSha.get(key), `${key}: the fleet's output differs from the single-machine run`);
    }
    phase("single-machine reference done");

    // An output for a shared root: written there by whichever worker ran it, the same bytes again.
    const out = path.join(shared, "out");
    const toShared = await waitFinal(daemon.client, await submit(daemon, RECIPES[0]!, sources.quantize, "shared-0", `shared:${out}`), 60_000);
    assert.equal(toShared.state, "JOB_STATE_COMPLETED", `${toShared.error_code} ${toShared.error_message}`);
    const sharedResult = JSON.parse(toShared.result_json) as { path: string; sha256: string };
    assert.equal(sharedResult.path, path.join(out, "shared-0.gguf"));
    assert.equal(sha256File(sharedResult.path), fleetSha.get(recipeKey(RECIPES[0]!)));
    // A cancel from the daemon reaches the job running on a worker in under 2 s.
    const cancelMs = await assertRemoteCancel(daemon, `org/slow@${hub.commitOf("org/slow")}`, out, workers);
    phase(`cancel took ${Math.round(cancelMs)} ms`);

    // A capability no worker has: the job waits, status says why, then it fails FLEET_NO_WORKER.
    const mlx = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: `org/tiny@${commit}`, type: "mlx", output_name: "m", threads: 0, destination: `shared:${out}` });
    assert.match(mlx.job_id, /^quant-mlx-/);
    const s1 = await fleetStatus(daemon);
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
    const s2 = await fleetStatus(daemon);
    assert.ok(!s2.workers.some((x) => x.pid === w.proc.pid), "a stopped worker is still listed");
  },
);

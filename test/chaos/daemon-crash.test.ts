import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { isProcessAlive } from "../../src/platform/lock-file.js";
import { grpcCode } from "../inference/inference-client.js";
import { danglingManifests, descendants, jobSourceGguf, listTree, QUANTIZE, waitFinal, waitJob, type JobKindUnderTest } from "./helpers.js";

const completions = (out: string, jobId: string) => out.split("\n").filter((l) => l.includes('"job completed"') && l.includes(`"jobId":"${jobId}"`)).length;

/** kill -9 of the daemon while a model-writing job runs: the job ends COMPLETED exactly once after a restart. */
async function crashMidJob(t: TestContext, kind: JobKindUnderTest, victim: "daemon" | "worker"): Promise<void> {
  const src = jobSourceGguf("slow");
  if ("skip" in src) return t.skip(src.skip);
  const home = path.join(tempDir(t), "h");
  fs.mkdirSync(path.join(home, "models"), { recursive: true });
  fs.copyFileSync(src.file, path.join(home, "models", "slow-F16.gguf"));
  const env = { CORTEX_THREADS: "1" };
  const d1 = await startDaemon(home, { env });
  t.after(() => d1.stop());
  const id = await kind.submit(d1.client, "slow-F16", "slow-out");
  const mid = await waitJob(d1.client, id, (j) => j.state === "JOB_STATE_ACTIVE" && (j.progress?.done ?? 0) >= 2, 60_000);
  assert.ok((mid.progress?.done ?? 0) < (mid.progress?.total ?? 0), "killed mid-way");
  const outDir = kind.outputDir(home);
  let d2 = d1;
  // The job's processes (BullMQ's forked worker, and its quantizer child) must not run on alone after a crash:
  // a restarted daemon would run the same job twice at once. (Redis is left to the next start, which stops it.)
  const jobProcs = descendants(d1.proc.pid!).filter((p) => !p.cmd.includes("redis-server"));
  const worker = jobProcs.find((p) => p.cmd.includes("bullmq"));
  assert.ok(worker && jobProcs.some((p) => p.cmd.includes("llama-quantize-runner")), JSON.stringify(jobProcs));
  if (victim === "daemon") {
    await d1.kill9();
  } else {
    process.kill(worker.pid, "SIGKILL");
  }
  const orphans = () => jobProcs.filter((p) => isProcessAlive(p.pid));
  for (let i = 0; i < 50 && orphans().length > 0; i++) await sleep(100);
  assert.deepEqual(orphans(), [], "no process of the killed one runs on");
  if (victim === "daemon") {
    d2 = await startDaemon(home, { env });
    t.after(() => d2.stop());
  }
  const done = await waitFinal(d2.client, id, 120_000);
  assert.equal(done.state, "JOB_STATE_COMPLETED", `${done.error_code}: ${done.error_message}`);
  await sleep(500);
  assert.equal(completions(d1.output(), id) + (d2 === d1 ? 0 : completions(d2.output(), id)), 1, "completed exactly once");
  assert.deepEqual(listTree(outDir), ["slow-out.gguf"], "one finished model, no temporary file left");
  assert.deepEqual(danglingManifests(home), []);
  const models = await d2.client.unary("cortex.v1.ModelService", "ListModels", {});
  assert.ok(models.models.some((m) => m.name.includes("slow-out")), JSON.stringify(models.models.map((m) => m.name)));
}

test("kill -9 of the daemon mid-quantization: after restart the job completes exactly once; no orphan, no temp file, no dangling manifest", async (t) => {
  await crashMidJob(t, QUANTIZE, "daemon");
});

test("kill -9 of the worker process mid-quantization: the job is retried and completes exactly once", async (t) => {
  await crashMidJob(t, QUANTIZE, "worker");
});

test("kill -9 of the daemon mid-generation: the client gets UNAVAILABLE, the runner exits, the next daemon serves", { skip: tinyModelsUnavailable() }, async (t) => {
  const home = path.join(tempDir(t), "h");
  copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
  const d1 = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  let runnerPid = 0;
  const err = await new Promise<unknown>((resolve) => {
    const call = d1.client.stream("cortex.v1.InferenceService", "Generate", { model: "tiny.gguf", prompt: "go on", sampling: { temperature: 0, max_tokens: 1_000_000 } });
    let killed = false;
    call.on("data", () => {
      if (killed) return;
      killed = true;
      void d1.client.unary("cortex.v1.InferenceService", "ListLoadedModels", {}).then((r) => {
        runnerPid = r.models[0]!.runner_pid;
        d1.proc.kill("SIGKILL");
      });
    });
    call.on("error", resolve);
    call.on("end", () => resolve(new Error("stream ended normally")));
  });
  await d1.exited;
  assert.equal(grpcCode(err), grpc.status.UNAVAILABLE, String(err));
  for (let i = 0; i < 50 && isProcessAlive(runnerPid); i++) await sleep(100);
  assert.equal(isProcessAlive(runnerPid), false, "the runner exits with its daemon");
  const d2 = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d2.stop());
  const again = await new Promise<number>((resolve, reject) => {
    let n = 0;
    const call = d2.client.stream("cortex.v1.InferenceService", "Generate", { model: "tiny.gguf", prompt: "again", sampling: { temperature: 0, max_tokens: 4 } });
    call.on("data", () => n++);
    call.on("error", reject);
    call.on("end", () => resolve(n));
  });
  assert.ok(again > 0);
});

test("a daemon whose stdout goes away (terminal closed, log pipe broken) keeps serving without spinning, and stops on SIGTERM", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  d.proc.stdout!.destroy(); // the reading end is gone: every log line now fails with EPIPE
  d.proc.stderr!.destroy();
  for (let i = 0; i < 20; i++) await d.client.unary("cortex.v1.ModelService", "GetStatus", {}); // debug logging on each call
  const cpu = () => fs.readFileSync(`/proc/${d.proc.pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0);
  const c0 = cpu();
  await sleep(2000);
  const ticks = cpu() - c0;
  assert.ok(ticks < 40, `idle daemon used ${ticks} CPU ticks in 2 s`);
  assert.equal((await d.client.unary("cortex.v1.ModelService", "GetStatus", {})).pid, d.proc.pid, "still serving");
  d.client.close();
  d.proc.kill("SIGTERM");
  const code = await Promise.race([d.exited, sleep(25_000).then(() => "hung")]);
  assert.equal(code, 0, "exits 0 after SIGTERM");
});

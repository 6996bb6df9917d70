import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import type { RunningDaemon } from "./daemon.js";
import type { WorkerProc } from "./fleet-worker.js";
import { waitFinal, waitJob } from "./jobs.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import type { GetStatusResponse__Output } from "../../src/grpc/generated/cortex/v1/GetStatusResponse.js";

/** SIGKILLs the workers still running and waits for them (a test's cleanup). */
export function killWorkers(workers: readonly WorkerProc[]): Promise<unknown> {
  return Promise.all(workers.map((w) => (w.proc.exitCode === null ? (w.proc.kill("SIGKILL"), w.exited) : undefined)));
}

export const fleetStatus = (d: RunningDaemon) => d.client.unary("cortex.v1.ModelService", "GetStatus", {}) as Promise<GetStatusResponse__Output>;
export const sha256File = (p: string) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");

/** grpc.health.v1 Check on a worker's own socket. */
export function healthCheck(socket: string): Promise<string> {
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

/** Waits for every job, one after another (one GetJob poll at a time: many concurrent pollers would load the daemon). */
export async function waitAll(d: RunningDaemon, ids: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const out = [];
  for (const id of ids) out.push(await waitFinal(d.client, id, Math.max(1000, deadline - Date.now())));
  return out;
}

/** The completed and failed counts of fleet queues, by name, read with any client of the fleet's Redis. */
export async function queueTotals(r: { zcard(key: string): Promise<number> }, prefix: string, queues: readonly string[]): Promise<Record<string, { completed: number; failed: number }>> {
  return Object.fromEntries(await Promise.all(queues.map(async (q) => [q, { completed: await r.zcard(`${prefix}:${q}:completed`), failed: await r.zcard(`${prefix}:${q}:failed`) }] as const)));
}

/** The files of a tiny HF checkpoint, as the loopback Hub serves them. */
export async function checkpointFiles(dir: string): Promise<Record<string, { data: Buffer; lfs?: boolean }>> {
  await makeHfCheckpoint(dir, { hiddenSize: 128, intermediateSize: 256, numHeads: 4, numKvHeads: 2, vocabSize: 300, dtype: "bf16", seed: 21 });
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, { data: fs.readFileSync(path.join(dir, f)), ...(f.endsWith(".safetensors") ? { lfs: true } : {}) }]));
}

/**
 * A slow Hub quantization (`slowRepo@commit`, output under the shared root `out`) submitted to the daemon, cancelled
 * there once a worker is fetching its input: the daemon answers CANCELLED in under 2 s, and the worker running it
 * logged that it heard the cancel. Returns how long the cancel took.
 */
export async function assertRemoteCancel(daemon: RunningDaemon, slowModel: string, out: string, workers: readonly WorkerProc[]): Promise<number> {
  const slow = await daemon.client.unary("cortex.v1.JobService", "QuantizeModel", { model: slowModel, type: "Q4_0", output_name: "slow", threads: 1, destination: `shared:${out}` });
  await waitJob(daemon.client, slow.job_id, (j) => j.state === "JOB_STATE_ACTIVE" && j.progress?.phase === "fetching input", 60_000);
  const t0 = performance.now();
  const cancelled = await daemon.client.unary("cortex.v1.JobService", "CancelJob", { job_id: slow.job_id, reason: "test" });
  const cancelMs = performance.now() - t0;
  assert.equal(cancelled.state, "JOB_STATE_CANCELLED", JSON.stringify(cancelled));
  assert.ok(cancelMs < 2000, `cancel took ${cancelMs} ms`);
  assert.ok(workers.some((w) => w.output().includes(`"jobId":"${slow.job_id}"`) && /job cancelled from another process/.test(w.output())), "the worker running it heard the cancel");
  return cancelMs;
}

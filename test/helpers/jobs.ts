import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/grpc/client.js";
import type { Job__Output } from "../../src/grpc/generated/cortex/v1/Job.js";

/** The one way tests wait for jobs. */
export type Job = Job__Output;
export const FINAL_STATES: readonly string[] = ["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"];

/** Polls GetJob until `done(job)`; transport errors (a restarting daemon) are retried until the deadline. */
export async function waitJob(client: CortexClient, id: string, done: (j: Job) => boolean, timeoutMs = 120_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let last: Job | undefined;
  for (;;) {
    last = await client.unary("cortex.v1.JobService", "GetJob", { job_id: id }).catch(() => last);
    if (last && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

/** Until the job is completed, failed or cancelled. */
export const waitFinal = (client: CortexClient, id: string, timeoutMs?: number): Promise<Job> => waitJob(client, id, (j) => FINAL_STATES.includes(String(j.state)), timeoutMs);

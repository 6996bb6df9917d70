import type { CliContext } from "./context.js";
import { jobLine, type JobView } from "./job-format.js";
import { watchJob } from "./watch-job.js";

export interface FollowOptions {
  detach?: boolean;
  cancelOnExit?: boolean;
}

/**
 * Submits a job RPC (PullModel, ConvertModel, QuantizeModel, FuseAdapter) and, unless --detach, follows it with
 * progress bars until it ends; prints the result. A failed job throws (non-zero exit, code and message on stderr).
 */
export async function submitAndFollow(ctx: CliContext, rpc: string, request: object, opts: FollowOptions): Promise<JobView | undefined> {
  const handle = await ctx.client.unary<{ job_id: string; deduplicated: boolean; job: JobView }>("cortex.v1.JobService", rpc, request);
  if (opts.detach) {
    ctx.print(handle, () => `${handle.deduplicated ? "joined" : "submitted"} ${jobLine(handle.job)}`);
    return undefined;
  }
  if (!ctx.json && handle.deduplicated) process.stderr.write(`an identical job is already running: following job ${handle.job_id}\n`);
  const job = await watchJob(ctx.client, handle.job_id, { json: ctx.json, ...(opts.cancelOnExit ? { cancelOnExit: true } : {}) });
  if (!ctx.json) process.stdout.write(`${job.result_json ? `done: ${job.result_json}` : jobLine(job)}\n`);
  return job;
}

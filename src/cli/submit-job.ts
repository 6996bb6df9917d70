import { CliError, EXIT_USAGE } from "./client.js";
import type { JobHandle__Output } from "../grpc/generated/cortex/v1/JobHandle.js";
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
export async function submitAndFollow(ctx: CliContext, submitted: Promise<JobHandle__Output>, opts: FollowOptions): Promise<JobView | undefined> {
  const handle = await submitted;
  if (opts.detach) {
    ctx.print(handle, () => `${handle.deduplicated ? "joined" : "submitted"} ${handle.job ? jobLine(handle.job) : handle.job_id}`);
    return undefined;
  }
  if (!ctx.json && handle.deduplicated) process.stderr.write(`an identical job is already running: following job ${handle.job_id}\n`);
  const job = await watchJob(ctx.client, handle.job_id, { json: ctx.json, ...(opts.cancelOnExit ? { cancelOnExit: true } : {}) });
  if (!ctx.json) process.stdout.write(`${job.result_json ? `done: ${job.result_json}` : jobLine(job)}\n`);
  return job;
}

/** --destination / --push-to → the request's destination ("" = local); both at once is a usage error. */
export function destinationFlag(o: { destination?: string; pushTo?: string }): string {
  if (o.destination && o.pushTo) throw new CliError("--push-to is --destination hub:<org/repo>; give one of them", EXIT_USAGE);
  return o.pushTo ? `hub:${o.pushTo}` : (o.destination ?? "");
}

import type { Command } from "commander";
import type { JobState } from "../../grpc/generated/cortex/v1/JobState.js";
import type { JobType } from "../../grpc/generated/cortex/v1/JobType.js";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";
import { table } from "../format.js";
import { jobLine, progressText, shortState, shortType, type JobView } from "../job-format.js";
import { watchJob } from "../watch-job.js";

const STATES = ["queued", "active", "completed", "failed", "cancelled", "delayed", "waiting_children"];
const TYPES = ["pull", "convert", "quantize", "fuse", "flow"];

/** A word the user typed → the enum name; anything else is a usage error naming the choices. */
function enumWord<T extends string | number>(flag: string, word: string, choices: readonly string[], prefix: string): T {
  const w = word.toLowerCase().replace(/-/g, "_");
  if (!choices.includes(w)) throw new CliError(`--${flag} ${word}: use one of ${choices.join(", ")}`, EXIT_USAGE);
  return `${prefix}${w.toUpperCase()}` as T;
}

export function registerJobs(program: Command): void {
  const jobs = program
    .command("jobs")
    .description("List jobs (downloads, conversions, quantizations); subcommands watch, cancel, retry")
    .option("--state <state...>", `filter by state: ${STATES.join(", ")}`)
    .option("--type <type...>", `filter by type: ${TYPES.join(", ")}`)
    .option("--model <model>", "filter by model")
    .option("--limit <n>", "at most n jobs", "50")
    .action(async (opts: { state?: string[]; type?: string[]; model?: string; limit: string }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const res = await ctx.client.unary("cortex.v1.JobService", "ListJobs", {
        states: (opts.state ?? []).map((s) => enumWord<JobState>("state", s, STATES, "JOB_STATE_")),
        types: (opts.type ?? []).map((s) => enumWord<JobType>("type", s, TYPES, "JOB_TYPE_")),
        model: opts.model ?? "",
        limit: positiveInt("limit", opts.limit),
      });
      ctx.print(res, () =>
        res.jobs.length === 0
          ? "no jobs"
          : table(
              res.jobs.map((j) => ({ id: j.id, type: shortType(j.type), model: j.model, state: shortState(j.state), progress: progressText(j), error: j.error_code ? `${j.error_code}: ${j.error_message}`.slice(0, 80) : "", created: j.created_at.replace("T", " ").slice(0, 19) })),
              [
                { key: "id", title: "ID" },
                { key: "type", title: "TYPE" },
                { key: "model", title: "MODEL" },
                { key: "state", title: "STATE" },
                { key: "progress", title: "PROGRESS" },
                { key: "created", title: "CREATED" },
                { key: "error", title: "ERROR" },
              ],
            ),
      );
    });

  jobs
    .command("watch <id>")
    .description("Follow a job until it ends (Ctrl-C detaches)")
    .option("--cancel-on-exit", "Ctrl-C cancels the job instead of detaching")
    .action(async (id: string, opts: { cancelOnExit?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const job = await watchJob(ctx.client, id, { json: ctx.json, ...(opts.cancelOnExit ? { cancelOnExit: true } : {}) });
      if (!ctx.json) process.stdout.write(`${jobLine(job)}\n`);
    });

  jobs
    .command("cancel <id>")
    .description("Cancel a queued or running job (stops within 2 s; not retried)")
    .option("--reason <text>", "why, recorded in the job")
    .action(async (id: string, opts: { reason?: string }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const job = await ctx.client.unary("cortex.v1.JobService", "CancelJob", { job_id: id, reason: opts.reason ?? "" });
      ctx.print(job, () => jobLine(job));
    });

  jobs
    .command("retry <id>")
    .description("Run a failed or cancelled job again")
    .action(async (id: string, _opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const job = await ctx.client.unary("cortex.v1.JobService", "RetryJob", { job_id: id });
      ctx.print(job, () => jobLine(job));
    });
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${flag} must be a positive integer, got "${v}"`, EXIT_USAGE);
  return n;
}

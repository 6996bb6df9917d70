import type { Command } from "commander";
import { CliContext } from "../context.js";
import { jobLine, type JobView } from "../job-format.js";
import { watchJob } from "../watch-job.js";

/** `cortex pull org/name[@rev]`: submits a PullModel job and follows it with progress bars. */
export function registerPull(program: Command): void {
  program
    .command("pull <repo>")
    .description("Download a model from the Hugging Face Hub into the shared HF cache (org/name[@revision])")
    .option("--include <glob...>", "only files matching these globs")
    .option("--exclude <glob...>", "skip files matching these globs")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the download instead of detaching")
    .action(async (ref: string, opts: { include?: string[]; exclude?: string[]; detach?: boolean; cancelOnExit?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const at = ref.lastIndexOf("@");
      const [repo, revision] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, ""];
      const handle = await ctx.client.unary<{ job_id: string; deduplicated: boolean; job: JobView }>("cortex.v1.JobService", "PullModel", {
        repo,
        revision,
        include: opts.include ?? [],
        exclude: opts.exclude ?? [],
      });
      if (opts.detach) {
        ctx.print(handle, () => `${handle.deduplicated ? "joined" : "submitted"} ${jobLine(handle.job)}`);
        return;
      }
      if (!ctx.json && handle.deduplicated) process.stderr.write(`an identical pull is already running: following job ${handle.job_id}\n`);
      const job = await watchJob(ctx.client, handle.job_id, { json: ctx.json, ...(opts.cancelOnExit ? { cancelOnExit: true } : {}) });
      if (!ctx.json) process.stdout.write(`${job.result_json ? `done: ${job.result_json}` : jobLine(job)}\n`);
    });
}

import type { Command } from "commander";
import { CliContext } from "../context.js";
import { submitAndFollow, type FollowOptions } from "../submit-job.js";

/** `cortex pull org/name[@rev]`: submits a PullModel job and follows it with progress bars. */
export function registerPull(program: Command): void {
  program
    .command("pull <repo>")
    .description("Download a model from the Hugging Face Hub into the shared HF cache (org/name[@revision])")
    .option("--include <glob...>", "only files matching these globs")
    .option("--exclude <glob...>", "skip files matching these globs")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the download instead of detaching")
    .action(async (ref: string, opts: FollowOptions & { include?: string[]; exclude?: string[] }, cmd: Command) => {
      const at = ref.lastIndexOf("@");
      const [repo, revision] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, ""];
      const ctx = CliContext.from(cmd);
      const job = await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "PullModel", { repo, revision, include: opts.include ?? [], exclude: opts.exclude ?? [] }), opts);
      // What to type next: the names `cortex run` takes for what was pulled.
      const models = job?.result_json ? ((JSON.parse(job.result_json) as { models?: { id: string; run_as: string }[] }).models ?? []) : [];
      if (!ctx.json) for (const m of models) process.stdout.write(`run it: cortex run ${m.run_as}  (${m.id})\n`);
    });
}

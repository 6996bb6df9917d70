import type { Command } from "commander";
import { CliContext } from "../context.js";
import { submitAndFollow, type FollowOptions } from "../submit-job.js";

/** `cortex push <model> <org/repo[@branch]>`: publish a model to the Hub (one commit, a generated model card). */
export function registerPush(program: Command): void {
  program
    .command("push <model> <repo>")
    .description("Publish a model (as `cortex ls` names it) to a Hub model repo org/name[@branch]: created when missing, one commit with LFS and a model card (needs HF_TOKEN with write access)")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the job instead of detaching")
    .action(async (model: string, repo: string, opts: FollowOptions, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "PushModel", { model, repo }), opts);
    });
}

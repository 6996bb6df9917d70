import type { Command } from "commander";
import { CliContext } from "../context.js";
import { submitAndFollow, type FollowOptions } from "../submit-job.js";

/** `cortex fuse <base> <adapter>`: a FuseAdapter job; the fused model lands in mlx_models/. */
export function registerFuse(program: Command): void {
  program
    .command("fuse <base> <adapter>")
    .description("Fuse a LoRA adapter (mlx-lm or PEFT) into its base model (HF or MLX, float or quantized)")
    .option("--name <name>", "output name (default: <base>-fused-<adapter>)")
    .option("--overwrite", "replace an existing output of that name (never one in use)")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .action(async (base: string, adapter: string, o: FollowOptions & { name?: string; overwrite?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "FuseAdapter", { base, adapter, output_name: o.name ?? "", overwrite: Boolean(o.overwrite) }), o);
    });
}

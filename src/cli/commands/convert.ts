import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../client.js";
import { CliContext } from "../context.js";
import { jobLine, type JobView } from "../job-format.js";
import { watchJob } from "../watch-job.js";

type Handle = { job_id: string; deduplicated: boolean; job: JobView };

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

/** Submit a conversion-type job, then follow it (or print the handle with --detach). */
export async function submitAndFollow(ctx: CliContext, method: string, request: object, detach: boolean | undefined): Promise<void> {
  const handle = await ctx.client.unary<Handle>("cortex.v1.JobService", method, request);
  if (detach) {
    ctx.print(handle, () => `${handle.deduplicated ? "joined" : "submitted"} ${jobLine(handle.job)}`);
    return;
  }
  if (!ctx.json && handle.deduplicated) process.stderr.write(`an identical job is already running: following job ${handle.job_id}\n`);
  const job = await watchJob(ctx.client, handle.job_id, { json: ctx.json });
  if (!ctx.json) process.stdout.write(`${job.result_json ? `done: ${job.result_json}` : jobLine(job)}\n`);
}

/** `cortex convert <source> --to mlx|gguf`: a ConvertModel job (the daemon validates every option). */
export function registerConvert(program: Command): void {
  program
    .command("convert <source>")
    .description("Convert a Hugging Face checkpoint (model name, path or org/name[@rev]) to MLX or GGUF")
    .requiredOption("--to <format>", "mlx or gguf")
    .option("--outtype <type>", "GGUF: f32, f16, bf16, q8_0 or a quantization type (one pass)")
    .option("--bits <n>", "MLX: quantize to 2, 3, 4, 5, 6 or 8 bits", int("--bits"))
    .option("--group-size <n>", "MLX: quantization group size 32, 64 or 128", int("--group-size"))
    .option("--recipe <recipe>", "MLX: mixed_2_6, mixed_3_4, mixed_3_6, mixed_4_6, or auto (bits by model size)")
    .option("--dtype <dtype>", "MLX: float16, bfloat16 or float32 (default: the checkpoint's torch_dtype)")
    .option("-q, --quantize", "MLX: quantize (4-bit, group 64 unless --bits/--group-size say otherwise)")
    .option("--gpu-optimization <level>", "MLX: maximum forces 4-bit under the auto recipe")
    .option("--name <name>", "output name (default: derived from the source)")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .action(async (source: string, o: { to: string; outtype?: string; bits?: number; groupSize?: number; recipe?: string; dtype?: string; quantize?: boolean; gpuOptimization?: string; name?: string; detach?: boolean }, cmd: Command) => {
      const to = o.to.toLowerCase();
      if (to !== "mlx" && to !== "gguf") throw new CliError(`--to must be mlx or gguf, got "${o.to}"`, 2);
      const mlxOnly = [o.bits, o.groupSize, o.recipe, o.dtype, o.quantize, o.gpuOptimization].some((v) => v !== undefined);
      if (to === "gguf" && mlxOnly) throw new CliError("--bits, --group-size, --recipe, --dtype, --quantize and --gpu-optimization apply to --to mlx; use --outtype for GGUF", 2);
      if (to === "mlx" && o.outtype) throw new CliError("--outtype applies to --to gguf; use --bits/--recipe/--dtype for MLX", 2);
      const request = {
        source,
        target: to === "mlx" ? "TARGET_FORMAT_MLX" : "TARGET_FORMAT_GGUF",
        outtype: o.outtype ?? "",
        mlx: to === "mlx" ? { dtype: o.dtype ?? "", bits: o.bits ?? 0, group_size: o.groupSize ?? 0, recipe: o.recipe ?? "", quantize: Boolean(o.quantize), gpu_optimization_level: o.gpuOptimization ?? "" } : null,
        output_name: o.name ?? "",
        keep_intermediate: false,
      };
      await submitAndFollow(CliContext.from(cmd), "ConvertModel", request, o.detach);
    });
}

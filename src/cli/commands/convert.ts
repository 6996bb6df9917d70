import { type Command, InvalidArgumentError } from "commander";
import type { ConvertModelRequest } from "../../grpc/generated/cortex/v1/ConvertModelRequest.js";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";
import { destinationFlag, submitAndFollow, type FollowOptions } from "../submit-job.js";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

/** `cortex convert <source> --to mlx|gguf`: a ConvertModel job (the daemon validates every option). */
export function registerConvert(program: Command): void {
  program
    .command("convert <source>")
    .description("Convert a Hugging Face checkpoint or an MLX model (model name, path or org/name[@rev]) to MLX or GGUF")
    .requiredOption("--to <format>", "mlx or gguf")
    .option("--outtype <type>", "GGUF: auto (default: an MLX model's bit-exact Q4_1/Q5_1…, else f16), f32, f16, bf16, q8_0, or a quantization type (one pass; MLX sources: q4_1, q5_1)")
    .option("--bits <n>", "MLX: quantize to 2, 3, 4, 5, 6 or 8 bits", int("--bits"))
    .option("--group-size <n>", "MLX: quantization group size 32, 64 or 128", int("--group-size"))
    .option("--recipe <recipe>", "MLX: mixed_2_6, mixed_3_4, mixed_3_6, mixed_4_6, or auto (bits by model size)")
    .option("--dtype <dtype>", "MLX: float16, bfloat16 or float32 (default: the checkpoint's torch_dtype)")
    .option("-q, --quantize", "MLX: quantize (4-bit, group 64 unless --bits/--group-size say otherwise)")
    .option("--gpu-optimization <level>", "MLX: maximum forces 4-bit under the auto recipe")
    .option("--name <name>", "output name (default: derived from the source)")
    .option("--keep-intermediate", "GGUF one pass: also keep the F16 file")
    .option("--overwrite", "replace an existing output of that name (never one in use)")
    .option("--destination <dest>", "where the output goes: local (default), shared:<dir> or hub:<org>/<repo>[@branch]; non-local jobs run on the fleet's cortex workers")
    .option("--push-to <org/repo>", "publish the output to this Hub repo (= --destination hub:<org/repo>)")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the job instead of detaching")
    .action(async (source: string, o: FollowOptions & { keepIntermediate?: boolean; to: string; outtype?: string; bits?: number; groupSize?: number; recipe?: string; dtype?: string; quantize?: boolean; gpuOptimization?: string; name?: string; detach?: boolean; overwrite?: boolean; destination?: string; pushTo?: string }, cmd: Command) => {
      const to = o.to.toLowerCase();
      if (to !== "mlx" && to !== "gguf") throw new CliError(`--to must be mlx or gguf, got "${o.to}"`, EXIT_USAGE);
      const mlxOnly = [o.bits, o.groupSize, o.recipe, o.dtype, o.quantize, o.gpuOptimization].some((v) => v !== undefined);
      if (to === "gguf" && mlxOnly) throw new CliError("--bits, --group-size, --recipe, --dtype, --quantize and --gpu-optimization apply to --to mlx; use --outtype for GGUF", EXIT_USAGE);
      if (to === "mlx" && o.outtype) throw new CliError("--outtype applies to --to gguf; use --bits/--recipe/--dtype for MLX", EXIT_USAGE);
      const request: ConvertModelRequest = {
        source,
        target: to === "mlx" ? "TARGET_FORMAT_MLX" : "TARGET_FORMAT_GGUF",
        outtype: o.outtype ?? "",
        mlx: to === "mlx" ? { dtype: o.dtype ?? "", bits: o.bits ?? 0, group_size: o.groupSize ?? 0, recipe: o.recipe ?? "", quantize: Boolean(o.quantize), gpu_optimization_level: o.gpuOptimization ?? "" } : null,
        output_name: o.name ?? "",
        overwrite: Boolean(o.overwrite),
        keep_intermediate: Boolean(o.keepIntermediate),
        destination: destinationFlag(o),
      };
      const ctx = CliContext.from(cmd);
      await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "ConvertModel", request), o);
    });
}

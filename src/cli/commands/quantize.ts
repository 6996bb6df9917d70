import type { Command } from "commander";
import { GGUF_QUANT_TYPES } from "../../formats/quantization-names.js";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";

/** An optional non-negative integer flag (0 when absent = the daemon's default). */
function count(flag: string, v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${flag} must be a non-negative integer, got "${v}"`, EXIT_USAGE);
  return n;
}
import { destinationFlag, submitAndFollow, type FollowOptions } from "../submit-job.js";

/** `cortex quantize <model> <type>`: a GGUF → quantized GGUF job (llama.cpp's own quantizer), followed live. */
export function registerQuantize(program: Command): void {
  program
    .command("quantize <model> <type>")
    .description(`Quantize a GGUF model, or a Hugging Face checkpoint (converted in one pass), into $CORTEX_HOME/quantized_models (types: ${GGUF_QUANT_TYPES.join(", ")}; "mlx" for an MLX model)`)
    .option("--name <name>", "output name (default <model>-<TYPE>)")
    .option("--threads <n>", "quantization threads (default: the machine's cores)")
    .option("--overwrite", "replace an existing output of that name (never one in use)")
    .option("--force", "the same as --overwrite")
    .option("--bits <n>", "MLX: bits per weight")
    .option("--group-size <n>", "MLX: group size")
    .option("--destination <dest>", "where the output goes: local (default), shared:<dir> or hub:<org>/<repo>[@branch]; non-local jobs run on the fleet's cortex workers")
    .option("--push-to <org/repo>", "publish the output to this Hub repo (= --destination hub:<org/repo>)")
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the job instead of detaching")
    .action(async (model: string, type: string, opts: FollowOptions & { name?: string; overwrite?: boolean; force?: boolean; threads?: string; bits?: string; groupSize?: string; destination?: string; pushTo?: string }, cmd: Command) => {
      const mlx = opts.bits || opts.groupSize ? { bits: count("bits", opts.bits), group_size: count("group-size", opts.groupSize), quantize: true } : null;
      const ctx = CliContext.from(cmd);
      await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "QuantizeModel", { model, type, mlx, output_name: opts.name ?? "", threads: count("threads", opts.threads), overwrite: Boolean(opts.overwrite || opts.force), destination: destinationFlag(opts) }), opts);
    });
}

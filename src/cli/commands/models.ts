import type { Command } from "commander";
import { CliError } from "../client.js";
import { CliContext } from "../context.js";
import { formatBytes } from "../format.js";
import type { ListModelsResponse__Output } from "../../grpc/generated/cortex/v1/ListModelsResponse.js";
import { bitsValue, formatEnum, modelDetails, modelTable, quantizationFilter, sortKey, type ModelInfoView } from "../model-format.js";

const MS = "cortex.v1.ModelService";


/** `cortex ls`, `show`, `rm`, `tag`, `untag`. */
export function registerModels(program: Command): void {
  program
    .command("ls [glob]")
    .alias("list")
    .description("List models in cortexd's folders, the extra model folders and the HF cache (glob over id and name)")
    .option("--format <format...>", "gguf, mlx, safetensors, pytorch, gptq, awq, bitsandbytes, compressed-tensors, lora")
    .option("--quant <quant...>", "q4_k_m, q8_0, f16, bf16, mlx, gptq, awq, int4, … or a bit width: 4bit, 8bit")
    .option("--quantization <quant...>", "the same as --quant (the seed scripts' spelling)")
    .option("--bits <n...>", "weight bit width, whatever the format (4: GGUF Q4_*, MLX 4-bit, GPTQ/AWQ 4-bit, bnb INT4)")
    .option("--tag <tag...>", "only models carrying every one of these tags")
    .option("--sort <key>", "name, size, last_used, created, parameters; prefix - for descending", "name")
    .option("--limit <n>", "at most n models (all by default)")
    .option("--no-broken", "hide models whose files cannot be parsed")
    .action(async (glob: string | undefined, opts: { format?: string[]; quant?: string[]; quantization?: string[]; bits?: string[]; tag?: string[]; sort: string; limit?: string; broken: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      // Checked before anything is sent: an unknown value is a usage error, never "no filter".
      const q = quantizationFilter([...(opts.quant ?? []), ...(opts.quantization ?? [])]);
      const filters = { formats: (opts.format ?? []).map(formatEnum), quantizations: q.quantizations, bits: [...q.bits, ...(opts.bits ?? []).map((b) => bitsValue(b))], sort: sortKey(opts.sort) };
      const limit = opts.limit ? Number(opts.limit) : Number.POSITIVE_INFINITY;
      const models: ModelInfoView[] = [];
      let res: ListModelsResponse__Output;
      let token = "";
      do {
        res = await ctx.client.unary(MS, "ListModels", {
          ...filters,
          tags: opts.tag ?? [],
          name_glob: glob ?? "",
          page_size: 1000,
          page_token: token,
          exclude_broken: !opts.broken,
        }, 120_000);
        models.push(...res.models);
        token = res.next_page_token;
      } while (token && models.length < limit);
      const shown = models.slice(0, limit);
      ctx.print({ models: shown, total: res.total, total_size_bytes: res.total_size_bytes, warnings: res.warnings }, () => {
        if (shown.length === 0) return res.total ? "" : "no models";
        const broken = shown.filter((m) => m.broken).map((m) => `  ${m.id} ${m.name}: ${m.broken_reason}`);
        return [
          modelTable(shown),
          "",
          `${res.total} model${res.total === 1 ? "" : "s"}, ${formatBytes(res.total_size_bytes)} on disk (shared blobs once)${shown.length < res.total ? `; showing ${shown.length}` : ""}`,
          ...(broken.length ? ["", "broken:", ...broken] : []),
          ...(res.warnings.length ? ["", "warnings:", ...res.warnings.map((w) => `  ${w}`)] : []),
        ].join("\n");
      });
    });

  program
    .command("show <model>")
    .description("Everything the store knows about one model (id, name, name@revision or path)")
    .action(async (ref: string, _opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { model } = await ctx.client.unary(MS, "GetModel", { id: ref }, 60_000);
      if (!model) throw new CliError(`the daemon sent no model for "${ref}"`);
      ctx.print(model, () => modelDetails(model));
    });

  program
    .command("rm <model...>")
    .description("Delete models (refused while loaded or used by a job)")
    .option("--hf-cache", "allow deleting models in the shared HF cache (blobs other revisions use are kept)")
    .action(async (refs: string[], opts: { hfCache?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const results: { model: string; bytes_freed: number; deleted_paths: string[]; kept_paths: string[] }[] = [];
      for (const ref of refs) {
        const r = await ctx.client.unary(MS, "DeleteModel", { id: ref, include_hf_cache: Boolean(opts.hfCache) }, 120_000);
        results.push({ model: ref, ...r });
      }
      ctx.print({ deleted: results }, () => results.map((r) => `deleted ${r.model}: ${formatBytes(r.bytes_freed)} freed${r.kept_paths.length ? `; kept ${r.kept_paths.length} shared file(s)` : ""}`).join("\n"));
    });

  program
    .command("tag <model> <tags...>")
    .description("Add tags to a model (--remove takes them off)")
    .option("--remove", "remove these tags instead")
    .action(async (ref: string, tags: string[], opts: { remove?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { model } = await ctx.client.unary(MS, opts.remove ? "UntagModel" : "TagModel", { id: ref, tags });
      printTags(ctx, model);
    });

  program
    .command("untag <model> <tags...>")
    .description("Remove tags from a model")
    .action(async (ref: string, tags: string[], _opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { model } = await ctx.client.unary(MS, "UntagModel", { id: ref, tags });
      printTags(ctx, model);
    });
}

function printTags(ctx: CliContext, model: ModelInfoView | null): void {
  if (!model) throw new CliError("the daemon sent no model");
  ctx.print(model, () => `${model.name} (${model.id}): ${model.tags.join(", ") || "no tags"}`);
}

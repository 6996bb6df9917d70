import type { Command } from "commander";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";
import { table } from "../format.js";
import { submitAndFollow, type FollowOptions } from "../submit-job.js";
import { submitBatch } from "./batch.js";
import { compileGlob } from "../../formats/glob-match.js";

interface PullOptions extends FollowOptions {
  include?: string[];
  exclude?: string[];
  quantization?: string;
  preset?: string;
}

/**
 * `cortex pull org/name[@rev]` or a short name from the catalog (`cortex pull flux-schnell`, `--quantization 4bit`
 * for its variant); `--preset all` (or a glob over short names) pulls every catalog entry as one batch of jobs.
 */
export function registerPull(program: Command): void {
  program
    .command("pull [repo]")
    .description("Download a model from the Hugging Face Hub into the shared HF cache (org/name[@revision], or a short name: `cortex catalog`)")
    .option("--include <glob...>", "only files matching these globs")
    .option("--exclude <glob...>", "skip files matching these globs")
    .option("--quantization <variant>", "with a short name: its variant (e.g. 4bit → flux-schnell:4bit)")
    .option("--preset <name>", 'pull catalog entries as one batch: "all", or a glob over short names ("flux-*")')
    .option("--detach", "submit and return at once; follow with `cortex jobs watch <id>`")
    .option("--cancel-on-exit", "Ctrl-C cancels the download instead of detaching")
    .action(async (ref: string | undefined, opts: PullOptions, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      if (opts.preset !== undefined) {
        if (ref) throw new CliError("give a repo or --preset, not both", EXIT_USAGE);
        const { entries } = await ctx.client.unary("cortex.v1.ModelService", "ListCatalog", {});
        const re = opts.preset === "all" ? undefined : compileGlob(opts.preset.toLowerCase(), "--preset");
        const chosen = entries.filter((e) => !re || re.test(e.name));
        if (chosen.length === 0) throw new CliError(`--preset ${opts.preset} matches no short name; known: ${entries.map((e) => e.name).join(", ")}`, EXIT_USAGE);
        const items = chosen.map((e) => ({ pull: { repo: e.name, include: opts.include ?? [], exclude: opts.exclude ?? [] } }));
        await submitBatch(ctx, { items }, !opts.detach);
        return;
      }
      if (!ref) throw new CliError("give a repo (org/name[@revision]) or a short name, or --preset all", EXIT_USAGE);
      const at = ref.lastIndexOf("@");
      const [repo, revision] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, ""];
      const job = await submitAndFollow(ctx, ctx.client.unary("cortex.v1.JobService", "PullModel", { repo, revision, include: opts.include ?? [], exclude: opts.exclude ?? [], quantization: opts.quantization ?? "" }), opts);
      // What to type next: the names `cortex run` takes for what was pulled.
      const models = job?.result_json ? ((JSON.parse(job.result_json) as { models?: { id: string; run_as: string }[] }).models ?? []) : [];
      if (!ctx.json) for (const m of models) process.stdout.write(`run it: cortex run ${m.run_as}  (${m.id})\n`);
    });

  program
    .command("catalog")
    .description("Short names for models (built-in seeds and config.json aliases): what `pull`, `show`, `manifest sync` accept")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const r = await ctx.client.unary("cortex.v1.ModelService", "ListCatalog", {});
      ctx.print(r, () =>
        table(
          r.entries.map((e) => ({ name: e.name, repo: `${e.repo}${e.revision ? `@${e.revision}` : ""}`, files: [...e.include.map((g) => `+${g}`), ...e.exclude.map((g) => `-${g}`)].join(" ") || "all", what: e.description, source: e.source })),
          [
            { key: "name", title: "NAME" },
            { key: "repo", title: "REPO" },
            { key: "files", title: "FILES" },
            { key: "what", title: "DESCRIPTION" },
            { key: "source", title: "SOURCE" },
          ],
        ),
      );
    });
}

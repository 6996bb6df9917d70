import type { Command } from "commander";
import { CliContext } from "../context.js";
import { formatBytes } from "../format.js";
import { addLoadFlags, loadOptionsMsg, modelArg, type LoadFlags } from "../inference-options.js";

/** `cortex load <model>` and `cortex unload <model>`: explicit residency (LoadModel / UnloadModel). */
export function registerLoad(program: Command): void {
  addLoadFlags(
    program
      .command("load <model>")
      .description("Load a model into memory (a .gguf path, or a path under $CORTEX_HOME/models) and keep it warm"),
    true,
  ).action(async (model: string, opts: LoadFlags, cmd: Command) => {
    const ctx = CliContext.from(cmd);
    // Loads of big models take long; the daemon queues this call until memory frees up.
    const res = await ctx.client.unary("cortex.v1.InferenceService", "LoadModel", { model: modelArg(model), options: loadOptionsMsg(opts) }, 30 * 60_000);
    const m = res.model;
    ctx.print(res, () =>
      !m
        ? "loaded"
        : res.already_loaded
        ? `${m.model} is already loaded (${formatBytes(Number(m.memory_bytes))}, context ${m.context_size}${m.pinned ? ", pinned" : ""})`
        : `loaded ${m.model} in ${m.load_seconds.toFixed(2)}s: ${formatBytes(Number(m.memory_bytes))} measured, ${formatBytes(Number(m.estimated_memory_bytes))} estimated; context ${m.context_size} × ${m.parallel}${m.pinned ? ", pinned" : ""}`,
    );
  });

  program
    .command("unload <model>")
    .alias("stop")
    .description("Unload a model and return its memory (`cortex stop <model>`, as in Ollama)")
    .option("--force", "also when it is generating or loading (cancels those requests)")
    .action(async (model: string, opts: { force?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const res = await ctx.client.unary("cortex.v1.InferenceService", "UnloadModel", { model: modelArg(model), force: Boolean(opts.force) });
      ctx.print(res, () => `unloaded ${model}: freed ${formatBytes(Number(res.freed_bytes))}`);
    });
}

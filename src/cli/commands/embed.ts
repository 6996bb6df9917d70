import type { Command } from "commander";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";
import { addLoadFlags, loadOptionsMsg, modelArg, type LoadFlags } from "../inference-options.js";

/** `cortex embed <model> [text...]`: one embedding per argument (or per line of stdin), in one batched call. */
export function registerEmbed(program: Command): void {
  addLoadFlags(
    program
      .command("embed <model> [texts...]")
      .description("Embed texts (arguments, or stdin one per line): prints one JSON array per text (--json: the full response)"),
    false,
  ).action(async (model: string, texts: string[], opts: LoadFlags, cmd: Command) => {
    const ctx = CliContext.from(cmd);
    let inputs = texts;
    if (inputs.length === 0 && !process.stdin.isTTY) {
      let all = "";
      for await (const chunk of process.stdin) all += chunk.toString();
      inputs = all.split("\n").filter((l) => l.trim() !== "");
    }
    if (inputs.length === 0) throw new CliError("nothing to embed: give texts as arguments or on stdin", EXIT_USAGE);
    const res = await ctx.client.unary("cortex.v1.InferenceService", "Embed", { model: modelArg(model), inputs, load: loadOptionsMsg(opts) }, 10 * 60_000);
    ctx.print(res, () => res.embeddings.map((e) => JSON.stringify(e.values)).join("\n"));
  });
}

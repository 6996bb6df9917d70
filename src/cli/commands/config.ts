import type { Command } from "commander";
import { describeConfig, loadConfig } from "../../config/load-config.js";
import { CliError } from "../client.js";
import { CliContext } from "../context.js";
import { table } from "../format.js";

interface Entry {
  key: string;
  value: string;
  source: string;
  description: string;
}

export function registerConfig(program: Command): void {
  program
    .command("config")
    .description("Print the effective configuration and where each value came from (flag, env, file, default)")
    .option("--local", "compute it here from the environment and config file instead of asking the daemon")
    .action(async (opts: { local?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      let entries: Entry[];
      let file: string;
      let from: string;
      try {
        if (opts.local) throw new CliError("local");
        const res = await ctx.client.unary<{ entries: Entry[]; config_file: string }>("cortex.v1.ModelService", "GetConfig");
        [entries, file, from] = [res.entries, res.config_file, "running daemon"];
      } catch (err) {
        if (!(err instanceof CliError) || (err.exitCode !== 69 && err.message !== "local")) throw err;
        // Daemon not running: show what a daemon started now would use.
        const loaded = loadConfig({ flags: { home: ctx.home } });
        [entries, file, from] = [describeConfig(loaded), loaded.file, "computed locally (daemon not running)"];
      }
      ctx.print({ config_file: file, from, entries }, () =>
        `# ${from}; config file ${file}\n` +
        table(entries, [
          { key: "key", title: "KEY" },
          { key: "value", title: "VALUE" },
          { key: "source", title: "SOURCE" },
          { key: "description", title: "MEANING" },
        ]),
      );
    });
}

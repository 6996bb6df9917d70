import type { Command } from "commander";
import { CliError, EXIT_UNAVAILABLE } from "../client.js";
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
      let entries: Entry[] = [];
      let file = "";
      let from = "";
      const local = async (why: string) => {
        // What a daemon started now would use; the config loader (zod) loads only here.
        const { describeConfig, loadConfig } = await import("../../config/load-config.js");
        const loaded = loadConfig({ flags: { home: ctx.home } });
        [entries, file, from] = [describeConfig(loaded), loaded.file, `computed locally (${why})`];
      };
      if (opts.local) await local("--local");
      else {
        try {
          const res = await ctx.client.unary("cortex.v1.ModelService", "GetConfig", {});
          [entries, file, from] = [res.entries, res.config_file, "running daemon"];
        } catch (err) {
          if (!(err instanceof CliError) || err.exitCode !== EXIT_UNAVAILABLE) throw err;
          await local("daemon not running");
        }
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

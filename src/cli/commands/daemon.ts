import type { Command } from "commander";
import { daemonCommand, runDaemon } from "../../daemon/run-daemon.js";

/** `cortex daemon` = `cortexd`, same flags, same code. */
export function registerDaemon(program: Command): void {
  const cmd = daemonCommand("daemon").action(async (opts: Parameters<typeof runDaemon>[0], command: Command) => {
    const globals = command.optsWithGlobals() as { home?: string };
    const code = await runDaemon({ ...opts, ...(globals.home && !opts.home ? { home: globals.home } : {}) });
    process.stdout.write("", () => process.exit(code));
  });
  program.addCommand(cmd);
}

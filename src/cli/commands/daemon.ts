import type { Command } from "commander";
import { daemonCommand, type DaemonFlags } from "../../config/daemon-flags.js";

/** `cortex daemon` = `cortexd`, same flags, same code, loaded only when this command runs (the CLI stays a client). */
export function registerDaemon(program: Command): void {
  const cmd = daemonCommand("daemon").action(async (opts: DaemonFlags, command: Command) => {
    const globals = command.optsWithGlobals() as { home?: string };
    const { runDaemon } = await import("../../daemon/run-daemon.js");
    const code = await runDaemon({ ...opts, ...(globals.home && !opts.home ? { home: globals.home } : {}) });
    process.stdout.write("", () => process.exit(code));
  });
  program.addCommand(cmd);
}

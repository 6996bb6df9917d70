import type { Command } from "commander";
import { workerCommand, type WorkerFlags } from "../../config/worker-flags.js";

/** `cortex worker`: a fleet worker, loaded only when this command runs (the CLI stays a client). */
export function registerWorker(program: Command): void {
  const cmd = workerCommand("worker").action(async (opts: WorkerFlags, command: Command) => {
    const globals = command.optsWithGlobals() as { home?: string };
    const { runWorker } = await import("../../daemon/run-worker.js");
    const code = await runWorker({ ...opts, ...(globals.home && !opts.home ? { home: globals.home } : {}) });
    process.stdout.write("", () => process.exit(code));
  });
  program.addCommand(cmd);
}

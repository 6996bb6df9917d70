#!/usr/bin/env node
import { daemonCommand, runDaemon } from "./daemon/run-daemon.js";

// cortexd: the daemon entry point. `cortex daemon` runs the same code.
const program = daemonCommand("cortexd");
program.parse(process.argv);
const code = await runDaemon(program.opts());
// Flush stdout (pino) before exiting.
process.stdout.write("", () => process.exit(code));

#!/usr/bin/env node
import { daemonCommand, runDaemon } from "./daemon/run-daemon.js";

// cortexd: the daemon entry point. `cortex daemon` runs the same code.
const program = daemonCommand("cortexd");
program.parse(process.argv);
const code = await runDaemon(program.opts());
// Flush stdout (pino) before exiting; a stdout that is gone never calls back, so exit anyway shortly after.
process.stdout.write("", () => process.exit(code));
setTimeout(() => process.exit(code), 1000);

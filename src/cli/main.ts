#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { VERSION } from "../version.js";
import { CliError, EXIT_USAGE } from "./client.js";
import { registerConfig } from "./commands/config.js";
import { registerDaemon } from "./commands/daemon.js";
import { registerWorker } from "./commands/worker.js";
import { registerPush } from "./commands/push.js";
import { registerService } from "./commands/service.js";
import { registerStatus } from "./commands/status.js";
import { registerJobs } from "./commands/jobs.js";
import { registerPull } from "./commands/pull.js";
import { registerLoad } from "./commands/load.js";
import { registerPs } from "./commands/ps.js";
import { registerRun } from "./commands/run.js";
import { registerEmbed } from "./commands/embed.js";
import { registerModels } from "./commands/models.js";
import { registerManifest } from "./commands/manifest.js";
import { registerClean } from "./commands/clean.js";
import { registerHfCache } from "./commands/hf-cache.js";
import { registerQuantize } from "./commands/quantize.js";
import { registerBatch } from "./commands/batch.js";
import { registerConvert } from "./commands/convert.js";
import { registerFuse } from "./commands/fuse.js";

/**
 * `cortex`: a thin client of the daemon's gRPC API. It loads grpc-js, the generated contract and commander;
 * nothing of the daemon, the jobs or the inference pool (test/cli/cli-startup.test.ts holds that line).
 */
const json = process.argv.includes("--json");
const program = new Command("cortex")
  .description("Manage local LLM models through the cortexd daemon")
  .version(VERSION)
  .option("--home <dir>", "CORTEX_HOME of the daemon to talk to (default ~/.cortex)")
  .option("--address <host:port>", "talk to cortexd over TCP (CORTEX_ADDRESS) instead of the unix socket")
  .option("--token <token>", "bearer token for TCP (CORTEX_TOKEN; default $CORTEX_HOME/token)")
  .option("--json", "machine-readable output (errors too, on stderr)")
  .showHelpAfterError(!json)
  .configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) })
  .exitOverride();

registerStatus(program);
registerConfig(program);
registerDaemon(program);
registerWorker(program);
registerPush(program);
registerService(program);
registerPull(program);
registerJobs(program);
registerRun(program);
registerLoad(program);
registerPs(program);
registerEmbed(program);
registerModels(program);
registerManifest(program);
registerClean(program);
registerHfCache(program);
registerQuantize(program);
registerBatch(program);
registerConvert(program);
registerFuse(program);

/** Every failure ends here: one line on stderr (JSON with --json), usage errors exit 64 (sysexits EX_USAGE). */
function fail(err: CliError): never {
  if (json) process.stderr.write(`${JSON.stringify({ error: { code: err.code, status: err.status, message: err.message } })}\n`);
  else process.stderr.write(`cortex: ${err.message}\n`);
  process.exit(err.exitCode);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0. Commander has printed its own message and the
    // usage already (unless --json, where it stays quiet and the JSON error below is the one line).
    if (err.exitCode === 0) process.exit(0);
    if (!json) process.exit(EXIT_USAGE);
    fail(new CliError(err.message.replace(/^error: /, ""), EXIT_USAGE));
  }
  fail(err instanceof CliError ? err : new CliError(err instanceof Error ? err.message : String(err)));
}

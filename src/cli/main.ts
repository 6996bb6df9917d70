#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { VERSION } from "../version.js";
import { CliError } from "./client.js";
import { registerConfig } from "./commands/config.js";
import { registerDaemon } from "./commands/daemon.js";
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

/** `cortex`: a thin client of the daemon's gRPC API. */
const program = new Command("cortex")
  .description("Manage local LLM models through the cortexd daemon")
  .version(VERSION)
  .option("--home <dir>", "CORTEX_HOME of the daemon to talk to (default ~/.cortex)")
  .option("--address <host:port>", "talk to cortexd over TCP (CORTEX_ADDRESS) instead of the unix socket")
  .option("--token <token>", "bearer token for TCP (CORTEX_TOKEN; default $CORTEX_HOME/token)")
  .option("--json", "machine-readable output")
  .showHelpAfterError()
  .exitOverride();

registerStatus(program);
registerConfig(program);
registerDaemon(program);
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

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cortex: ${message}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}

import fs from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { parseConcurrency, parseList } from "../../config/worker-flags.js";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";

const shell = (argv: string[]) => argv.map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a)).join(" ");

/** The service files and launchctl/systemctl plans load only when a service command runs. */
const manager = () => import("../../service/service-manager.js");

type Role = "daemon" | "worker";
const roleOption = () => new Option("--role <role>", "which service: the daemon (cortexd) or a fleet worker (cortex worker)").choices(["daemon", "worker"]).default("daemon");

/** A usage error (exit 64) for a CortexError from flag parsing. */
const usage = <T>(fn: () => T): T => {
  try {
    return fn();
  } catch (err) {
    throw new CliError((err as Error).message, EXIT_USAGE);
  }
};

/** LSB init-script status codes, as `systemctl status` uses them: 3 = not running, 4 = unknown (not installed). */
const STATUS_NOT_RUNNING = 3;
const STATUS_NOT_INSTALLED = 4;

export function registerService(program: Command): void {
  const service = program.command("service").description("Install cortexd as a per-user service (launchd LaunchAgent on macOS, systemd --user on Linux)");

  service
    .command("install")
    .description("Write the service file and start it at login")
    .addOption(roleOption())
    .option("--dry-run", "print the file and the commands, change nothing")
    .option("--http <host:port>", "the service also serves the OpenAI/Ollama-compatible HTTP APIs there (CORTEX_HTTP)", (v: string) => {
      if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(v)) throw new InvalidArgumentError(`"${v}" must be host:port, e.g. 127.0.0.1:11435`);
      return v;
    })
    .option("--queues <list>", "worker: kinds of work to take, comma-separated: conversions, quantizations (default both)")
    .option("--capabilities <list>", "worker: output formats this machine makes, comma-separated: gguf, mlx (default both)")
    .option("--concurrency <n>", "worker: jobs per queue at once")
    .action(async (opts: { role: Role; dryRun?: boolean; http?: string; queues?: string; capabilities?: string; concurrency?: string }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { defaultServiceValues, workerServiceValues } = await import("../../service/service-files.js");
      const { planInstall, run, writeServiceFile } = await manager();
      const workerFlags = opts.queues !== undefined || opts.capabilities !== undefined || opts.concurrency !== undefined;
      if (opts.role === "daemon" && workerFlags) throw new CliError("--queues, --capabilities and --concurrency are flags of --role worker", EXIT_USAGE);
      if (opts.role === "worker" && opts.http) throw new CliError("--http is a flag of the daemon's service; a worker serves no HTTP", EXIT_USAGE);
      let values = defaultServiceValues(ctx.home);
      if (opts.role === "worker") {
        // The fleet's names load only here (the CLI loads nothing of the jobs room before a command runs).
        const { CAPABILITIES, FLEET_BASE_QUEUES } = await import("../../jobs/queue-names.js");
        values = usage(() => {
          const concurrency = parseConcurrency(opts.concurrency);
          return workerServiceValues(ctx.home, {
            queues: parseList("--queues", opts.queues ?? FLEET_BASE_QUEUES.join(","), FLEET_BASE_QUEUES),
            capabilities: parseList("--capabilities", opts.capabilities ?? CAPABILITIES.join(","), CAPABILITIES),
            ...(concurrency !== undefined ? { concurrency } : {}),
          });
        });
      }
      if (opts.http) values.environment.CORTEX_HTTP = opts.http;
      const plan = planInstall(values);
      for (const note of values.notes) process.stderr.write(`note: ${note}\n`);
      // The secrets file is named with the names of its variables, never their values.
      const { envFile, ...shown } = plan;
      const secrets = envFile ? { env_file: envFile.path, env_file_variables: envFile.names } : {};
      if (opts.dryRun) {
        ctx.print({ ...shown, ...secrets, dry_run: true }, () => `# ${plan.file}\n${plan.content}\n${envFile ? `# ${envFile.path} (mode 600): ${envFile.names.join(", ")}\n` : ""}# commands\n${plan.commands.map(shell).join("\n")}`);
        return;
      }
      writeServiceFile(plan, values.logDir);
      plan.commands.forEach((argv, i) => run(argv, plan.manager === "launchd" && i === 0));
      const what = opts.role === "worker" ? "the worker" : "cortexd";
      ctx.print({ installed: true, role: opts.role, manager: plan.manager, file: plan.file, ...secrets }, () => `installed ${plan.file} (${plan.manager})${envFile ? ` and ${envFile.path}` : ""}; ${what} starts now and at every login`);
    });

  service
    .command("uninstall")
    .description("Stop the service and remove its file (a worker's: its env file too)")
    .addOption(roleOption())
    .option("--dry-run", "print the commands, change nothing")
    .action(async (opts: { role: Role; dryRun?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { planUninstall, run } = await manager();
      const plan = planUninstall(process.platform, undefined, opts.role);
      const files = [plan.file, ...(opts.role === "worker" ? [path.join(ctx.home, "worker.env")] : [])];
      if (opts.dryRun) {
        ctx.print({ ...plan, files, dry_run: true }, () => `${plan.commands.map(shell).join("\n")}\n${files.map((f) => `rm ${f}`).join("\n")}`);
        return;
      }
      for (const argv of plan.commands) run(argv, true);
      for (const f of files) fs.rmSync(f, { force: true });
      ctx.print({ uninstalled: true, file: plan.file, files }, () => `removed ${files.join(", ")}`);
    });

  service
    .command("status")
    .description("Show whether the service is installed and running (exit 0 running, 3 not running, 4 not installed)")
    .addOption(roleOption())
    .action(async (opts: { role: Role }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { planUninstall, run, statusCommand } = await manager();
      const file = planUninstall(process.platform, undefined, opts.role).file;
      const installed = fs.existsSync(file);
      const argv = statusCommand(process.platform, opts.role);
      const result = installed ? run(argv, true) : { ok: false, output: "" };
      ctx.print({ installed, file, running: result.ok, detail: result.output }, () =>
        installed ? `${file}\n${result.output || `(${shell(argv)} reported nothing)`}` : `not installed (${file} absent); run \`cortex service install${opts.role === "worker" ? " --role worker" : ""}\``,
      );
      if (!installed) process.exitCode = STATUS_NOT_INSTALLED;
      else if (!result.ok) process.exitCode = STATUS_NOT_RUNNING;
    });
}

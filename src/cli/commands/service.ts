import fs from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { CliContext } from "../context.js";

const shell = (argv: string[]) => argv.map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a)).join(" ");

/** The service files and launchctl/systemctl plans load only when a service command runs. */
const manager = () => import("../../service/service-manager.js");

/** LSB init-script status codes, as `systemctl status` uses them: 3 = not running, 4 = unknown (not installed). */
const STATUS_NOT_RUNNING = 3;
const STATUS_NOT_INSTALLED = 4;

export function registerService(program: Command): void {
  const service = program.command("service").description("Install cortexd as a per-user service (launchd LaunchAgent on macOS, systemd --user on Linux)");

  service
    .command("install")
    .description("Write the service file and start it at login")
    .option("--dry-run", "print the file and the commands, change nothing")
    .option("--http <host:port>", "the service also serves the OpenAI/Ollama-compatible HTTP APIs there (CORTEX_HTTP)", (v: string) => {
      if (!/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(v)) throw new InvalidArgumentError(`"${v}" must be host:port, e.g. 127.0.0.1:11435`);
      return v;
    })
    .action(async (opts: { dryRun?: boolean; http?: string }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { defaultServiceValues } = await import("../../service/service-files.js");
      const { planInstall, run, writeServiceFile } = await manager();
      const values = defaultServiceValues(ctx.home);
      if (opts.http) values.environment.CORTEX_HTTP = opts.http;
      const plan = planInstall(values);
      for (const note of values.notes) process.stderr.write(`note: ${note}\n`);
      if (opts.dryRun) {
        ctx.print({ ...plan, dry_run: true }, () => `# ${plan.file}\n${plan.content}\n# commands\n${plan.commands.map(shell).join("\n")}`);
        return;
      }
      writeServiceFile(plan, values.logDir);
      plan.commands.forEach((argv, i) => run(argv, plan.manager === "launchd" && i === 0));
      ctx.print({ installed: true, manager: plan.manager, file: plan.file }, () => `installed ${plan.file} (${plan.manager}); cortexd starts now and at every login`);
    });

  service
    .command("uninstall")
    .description("Stop the service and remove its file")
    .option("--dry-run", "print the commands, change nothing")
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { planUninstall, run } = await manager();
      const plan = planUninstall();
      if (opts.dryRun) {
        ctx.print({ ...plan, dry_run: true }, () => `${plan.commands.map(shell).join("\n")}\nrm ${plan.file}`);
        return;
      }
      for (const argv of plan.commands) run(argv, true);
      fs.rmSync(plan.file, { force: true });
      ctx.print({ uninstalled: true, file: plan.file }, () => `removed ${plan.file}`);
    });

  service
    .command("status")
    .description("Show whether the service is installed and running (exit 0 running, 3 not running, 4 not installed)")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const { planUninstall, run, statusCommand } = await manager();
      const file = planUninstall().file;
      const installed = fs.existsSync(file);
      const argv = statusCommand();
      const result = installed ? run(argv, true) : { ok: false, output: "" };
      ctx.print({ installed, file, running: result.ok, detail: result.output }, () =>
        installed ? `${file}\n${result.output || `(${shell(argv)} reported nothing)`}` : `not installed (${file} absent); run \`cortex service install\``,
      );
      if (!installed) process.exitCode = STATUS_NOT_INSTALLED;
      else if (!result.ok) process.exitCode = STATUS_NOT_RUNNING;
    });
}

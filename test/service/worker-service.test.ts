import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "plist";
import { parseEnvFile } from "../../src/config/env-file.js";
import { renderLaunchdPlist, renderSystemdUnit, workerServiceValues } from "../../src/service/service-files.js";
import { planInstall, planUninstall, statusCommand, writePrivateFile } from "../../src/service/service-manager.js";
import { runCli } from "../helpers/daemon.js";
import { stopRedis } from "../helpers/redis-server.js";
import { assertSystemdVerifies } from "../helpers/systemd-verify.js";
import { tempDir } from "../helpers/temp-dir.js";
import { socketAnswers } from "../../src/platform/unix-socket.js";

/** What a user's shell holds when they install a worker: the fleet's Redis with its password, a Hub token. */
const SHELL = {
  PATH: "/opt/homebrew/bin:/usr/bin",
  CORTEX_REDIS_URL: "rediss://worker:s3cret-pw@redis.example:6380",
  CORTEX_REDIS_OPTIONS: '{"tls":{"ca":"/etc/ca.pem"},"sentinelPassword":"sentinel-pw"}',
  HF_TOKEN: "hf_worker_secret",
  CORTEX_SHARED_ROOTS: "/mnt/models",
  HF_ENDPOINT: "https://hf-mirror.example.com/",
};
const SECRETS = ["s3cret-pw", "sentinel-pw", "hf_worker_secret"];
const FLAGS = { queues: ["conversions", "quantizations"], capabilities: ["gguf"], concurrency: 2 };

test("the worker's LaunchAgent runs `cortex worker` with its flags; the Redis URL, its options and the Hub token go to a mode-600 env file, never the plist", () => {
  const v = workerServiceValues("/Users/ada/.cortex", FLAGS, SHELL, "darwin", "/Users/ada");
  const text = renderLaunchdPlist(v);
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in the plist`);
  const p = parse(text) as Record<string, unknown>;
  assert.equal(p.Label, "io.cortexd.worker");
  const args = p.ProgramArguments as string[];
  assert.equal(args[0], process.execPath);
  assert.ok(path.isAbsolute(args[1]!) && args[1]!.endsWith("dist/src/cli/main.js"), args[1]);
  assert.deepEqual(args.slice(2), ["worker", "--home", "/Users/ada/.cortex", "--env-file", "/Users/ada/.cortex/worker.env", "--queues", "conversions,quantizations", "--capabilities", "gguf", "--concurrency", "2"]);
  assert.deepEqual(p.KeepAlive, { SuccessfulExit: false });
  assert.equal(p.ProcessType, "Background");
  assert.equal(p.StandardErrorPath, "/Users/ada/Library/Logs/cortexd/cortex-worker.err.log");
  const env = p.EnvironmentVariables as Record<string, string>;
  assert.deepEqual(env, { PATH: env.PATH, CORTEX_HOME: "/Users/ada/.cortex", HF_ENDPOINT: "https://hf-mirror.example.com", CORTEX_SHARED_ROOTS: "/mnt/models" });
  // The env file holds exactly the secrets, as the worker reads them back.
  assert.equal(v.envFile!.path, "/Users/ada/.cortex/worker.env");
  assert.deepEqual(parseEnvFile(v.envFile!.content, "worker.env"), { CORTEX_REDIS_URL: SHELL.CORTEX_REDIS_URL, CORTEX_REDIS_OPTIONS: SHELL.CORTEX_REDIS_OPTIONS, HF_TOKEN: SHELL.HF_TOKEN });
  for (const n of v.notes) for (const s of SECRETS) assert.ok(!n.includes(s), `${s} in a note`);

  const plan = planInstall(v, "darwin", "/Users/ada");
  assert.equal(plan.file, "/Users/ada/Library/LaunchAgents/io.cortexd.worker.plist");
  assert.deepEqual(plan.commands.at(-1), ["launchctl", "bootstrap", `gui/${process.getuid!()}`, plan.file]);
  assert.equal(plan.envFile?.path, "/Users/ada/.cortex/worker.env");
  assert.deepEqual(planUninstall("darwin", "/Users/ada", "worker").commands[0], ["launchctl", "bootout", `gui/${process.getuid!()}/io.cortexd.worker`]);
  // The daemon's service is another one: both can be installed on one machine.
  assert.equal(planUninstall("darwin", "/Users/ada").file, "/Users/ada/Library/LaunchAgents/io.cortexd.daemon.plist");
  assert.deepEqual(statusCommand("linux", "worker"), ["systemctl", "--user", "status", "--no-pager", "cortexd-worker.service"]);
});

test("the worker's systemd unit: ExecStart runs `cortex worker` with its flags, no secret in the unit; it passes systemd-analyze verify where available", (t) => {
  const dir = tempDir(t);
  const v = { ...workerServiceValues(path.join(dir, "home dir"), FLAGS, SHELL, "linux", "/home/ada"), main: path.join(dir, "main.js"), logDir: dir };
  const unit = renderSystemdUnit(v);
  for (const s of SECRETS) assert.ok(!unit.includes(s), `${s} in the unit`);
  assert.match(unit, /^ExecStart=\S+ \S+main\.js worker --home "[^"]+home dir" --env-file "[^"]+home dir\/worker\.env" --queues conversions,quantizations --capabilities gguf --concurrency 2$/m);
  assert.match(unit, /^Environment="CORTEX_SHARED_ROOTS=\/mnt\/models"$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  const plan = planInstall(v, "linux", "/home/ada");
  assert.equal(plan.file, "/home/ada/.config/systemd/user/cortexd-worker.service");
  assert.deepEqual(plan.commands.at(-1), ["systemctl", "--user", "enable", "--now", "cortexd-worker.service"]);

  fs.writeFileSync(path.join(dir, "main.js"), "");
  fs.mkdirSync(path.join(dir, "home dir"));
  assertSystemdVerifies(t, dir, "cortexd-worker.service", unit);
});

test("cortex service install --role worker --dry-run names the env file and its variables, prints no secret and writes nothing; bad worker flags are usage errors", async (t) => {
  const fakeHome = tempDir(t);
  const home = path.join(fakeHome, ".cortex");
  const r = await runCli(["--home", home, "--json", "service", "install", "--role", "worker", "--capabilities", "gguf", "--dry-run"], { HOME: fakeHome, ...SHELL, HUGGING_FACE_HUB_TOKEN: "" });
  assert.equal(r.code, 0, r.stderr);
  for (const s of SECRETS) assert.ok(!`${r.stdout}${r.stderr}`.includes(s), `${s} printed`);
  const plan = JSON.parse(r.stdout) as { file: string; content: string; env_file: string; env_file_variables: string[]; dry_run: boolean };
  assert.equal(plan.dry_run, true);
  assert.ok(plan.file.endsWith("cortexd-worker.service") || plan.file.endsWith("io.cortexd.worker.plist"), plan.file);
  assert.equal(plan.env_file, path.join(home, "worker.env"));
  assert.deepEqual(plan.env_file_variables, ["CORTEX_REDIS_URL", "CORTEX_REDIS_OPTIONS", "HF_TOKEN"]);
  assert.match(plan.content, /worker/);
  assert.match(plan.content, /--capabilities/);
  assert.equal(fs.existsSync(plan.file), false);
  assert.equal(fs.existsSync(plan.env_file), false);

  const usage = async (args: string[], env: Record<string, string>, re: RegExp) => {
    const bad = await runCli(["--home", home, "service", "install", ...args, "--dry-run"], { HOME: fakeHome, ...env });
    assert.equal(bad.code, 64, `${args.join(" ")}: ${bad.stderr}`);
    assert.match(bad.stderr, re);
  };
  await usage(["--role", "worker", "--capabilities", "gguf,cuda"], SHELL, /--capabilities: "cuda" is not one of gguf, mlx/);
  await usage(["--role", "worker", "--concurrency", "0"], SHELL, /--concurrency: "0"/);
  await usage(["--role", "worker"], { PATH: SHELL.PATH, CORTEX_REDIS_URL: "" }, /CORTEX_REDIS_URL/);
  await usage(["--queues", "conversions"], SHELL, /flags of --role worker/);
  await usage(["--role", "boss"], SHELL, /boss/);
});

test("the installed worker service runs: its ProgramArguments and environment, with the mode-600 env file, start a worker on a password-protected Redis; a readable env file is refused", async (t) => {
  const dir = tempDir(t, "wsvc");
  const socket = path.join(dir, "r.sock");
  const redis = spawn("redis-server", ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", "fleet-pw"], { stdio: "ignore" });
  t.after(() => stopRedis(redis));
  for (let i = 0; i < 200 && !(await socketAnswers(socket)); i++) await sleep(25);

  const home = path.join(dir, "home");
  const shell = { PATH: process.env.PATH ?? "/usr/bin", CORTEX_REDIS_URL: socket, CORTEX_REDIS_OPTIONS: '{"password":"fleet-pw"}', HF_TOKEN: "hf_worker_secret" };
  const v = workerServiceValues(home, { queues: ["quantizations"], capabilities: ["gguf"] }, shell, "darwin", dir);
  writePrivateFile(v.envFile!.path, v.envFile!.content);
  assert.equal(fs.statSync(v.envFile!.path).mode & 0o777, 0o600);
  const p = parse(renderLaunchdPlist(v)) as { ProgramArguments: string[]; EnvironmentVariables: Record<string, string> };
  // As launchd starts it: these arguments and variables (plus HOME), nothing from this shell.
  const start = () => {
    const proc = spawn(p.ProgramArguments[0]!, p.ProgramArguments.slice(1), { env: { ...p.EnvironmentVariables, HOME: dir }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    t.after(() => (proc.exitCode === null ? (proc.kill("SIGKILL"), exited) : undefined));
    return { proc, exited, output: () => out };
  };
  const w = start();
  const deadline = Date.now() + 60_000;
  while (!w.output().includes('"cortex worker ready"')) {
    assert.equal(w.proc.exitCode, null, `the worker exited:\n${w.output()}`);
    assert.ok(Date.now() < deadline, `the worker did not start:\n${w.output()}`);
    await sleep(50);
  }
  assert.match(w.output(), /"queues":\["quantizations-gguf"\]/);
  for (const s of ["fleet-pw", "hf_worker_secret"]) assert.ok(!w.output().includes(s), `${s} in the worker's log`);
  w.proc.kill("SIGTERM");
  assert.equal(await w.exited, 0, w.output());

  // A secrets file others can read is refused, naming the fix; nothing of it is printed.
  fs.chmodSync(v.envFile!.path, 0o644);
  const refused = start();
  assert.notEqual(await refused.exited, 0);
  assert.match(refused.output(), /readable by others \(mode 644\).*chmod 600/);
  assert.ok(!refused.output().includes("fleet-pw"));
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { requireTool } from "../helpers/require-tool.js";
import { test } from "node:test";
import { parse } from "plist";
import { defaultServiceValues, renderLaunchdPlist, renderSystemdUnit } from "../../src/service/service-files.js";
import { planInstall, planUninstall } from "../../src/service/service-manager.js";
import { runCli } from "../helpers/daemon.js";
import { assertSystemdVerifies } from "../helpers/systemd-verify.js";
import { tempDir } from "../helpers/temp-dir.js";

const values = () => ({ ...defaultServiceValues("/Users/ada/.cortex", { PATH: "/opt/homebrew/bin:/usr/bin:relative/bin" }, "darwin"), logDir: "/Users/ada/Library/Logs/cortexd" });

test("the LaunchAgent plist parses and holds the keys launchd needs, with absolute paths", () => {
  const text = renderLaunchdPlist(values());
  const p = parse(text) as Record<string, unknown>;
  assert.equal(p.Label, "io.cortexd.daemon");
  const args = p.ProgramArguments as string[];
  assert.equal(args[0], process.execPath);
  assert.ok(args.every((a) => !a.includes("{{")));
  assert.ok(path.isAbsolute(args[1]!) && args[1]!.endsWith("dist/src/main.js"));
  assert.deepEqual(args.slice(2), ["--home", "/Users/ada/.cortex"]);
  assert.equal(p.RunAtLoad, true);
  assert.deepEqual(p.KeepAlive, { SuccessfulExit: false });
  assert.equal(p.ThrottleInterval, 10);
  assert.equal(p.ProcessType, "Interactive");
  assert.equal(p.WorkingDirectory, "/Users/ada/.cortex");
  const env = p.EnvironmentVariables as Record<string, string>;
  assert.equal(env.CORTEX_HOME, "/Users/ada/.cortex");
  assert.ok(env.PATH!.split(":").includes("/opt/homebrew/bin"), "Homebrew's redis-server is on PATH");
  assert.ok(!env.PATH!.includes("relative/bin"), "relative PATH entries are dropped");
  assert.equal(p.StandardOutPath, "/Users/ada/Library/Logs/cortexd/cortexd.log");
  assert.equal(p.StandardErrorPath, "/Users/ada/Library/Logs/cortexd/cortexd.err.log");
});

test("the plist also parses with Python's plistlib and escapes XML in paths", (t) => {
  const v = { ...values(), home: "/Users/ada & bob/<cortex>" };
  const text = renderLaunchdPlist(v);
  const file = path.join(tempDir(t), "x.plist");
  fs.writeFileSync(file, text);
  const py = spawnSync("python3", ["-c", "import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", file], { encoding: "utf8" });
  if (py.error) {
    t.skip(requireTool("PYTHON", "python3 not installed") || undefined);
    return;
  }
  assert.equal(py.status, 0, py.stderr);
  const p = JSON.parse(py.stdout) as { ProgramArguments: string[]; KeepAlive: { SuccessfulExit: boolean } };
  assert.equal(p.ProgramArguments[3], "/Users/ada & bob/<cortex>");
  assert.equal(p.KeepAlive.SuccessfulExit, false);
});

test("install plans: launchctl bootstrap into gui/<uid> on macOS, systemctl --user on Linux", () => {
  const mac = planInstall(values(), "darwin", "/Users/ada");
  assert.equal(mac.file, "/Users/ada/Library/LaunchAgents/io.cortexd.daemon.plist");
  assert.deepEqual(mac.commands.at(-1), ["launchctl", "bootstrap", `gui/${process.getuid!()}`, mac.file]);
  assert.deepEqual(planUninstall("darwin", "/Users/ada").commands[0], ["launchctl", "bootout", `gui/${process.getuid!()}/io.cortexd.daemon`]);
  const linux = planInstall({ ...values(), home: "/home/ada/.cortex" }, "linux", "/home/ada");
  assert.equal(linux.file, "/home/ada/.config/systemd/user/cortexd.service");
  assert.deepEqual(linux.commands.at(-1), ["systemctl", "--user", "enable", "--now", "cortexd.service"]);
});

test("the systemd unit passes systemd-analyze verify where available", (t) => {
  const dir = tempDir(t);
  // With variables that need systemd's quoting: a space, a %, a quote.
  // A home with a space: WorkingDirectory= once got it quoted, which systemd takes as part of the path.
  const unit = renderSystemdUnit({ ...values(), environment: { HF_HOME: "/data disk/hf 100%", HF_ENDPOINT: 'https://mirror.example/"x"' }, home: path.join(dir, "my home"), main: path.join(dir, "main.js"), logDir: dir });
  assert.match(unit, /^WorkingDirectory=\/\S+\/my home$/m);
  assert.match(unit, /^ExecStart=\S+ \S+main\.js --home "\S+\/my home"$/m);
  assert.match(unit, /^Restart=on-failure$/m);
  fs.writeFileSync(path.join(dir, "main.js"), "");
  assertSystemdVerifies(t, dir, "cortexd.service", unit);
});

test("cortex service install --dry-run prints the file and the commands and writes nothing", async (t) => {
  const fakeHome = tempDir(t);
  const r = await runCli(["--home", path.join(fakeHome, ".cortex"), "--json", "service", "install", "--dry-run"], { HOME: fakeHome });
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { file: string; content: string; commands: string[][]; dry_run: boolean };
  assert.equal(plan.dry_run, true);
  assert.ok(plan.file.startsWith(fakeHome));
  assert.ok(plan.content.includes(path.join(fakeHome, ".cortex")));
  assert.equal(fs.existsSync(plan.file), false);
});

test("cortex service install --http ADDR writes CORTEX_HTTP into the service; an address that is not host:port is a usage error", async (t) => {
  const fakeHome = tempDir(t);
  const r = await runCli(["--home", path.join(fakeHome, ".cortex"), "--json", "service", "install", "--http", "127.0.0.1:11435", "--dry-run"], { HOME: fakeHome });
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { content: string };
  assert.match(plan.content, /CORTEX_HTTP(=|<\/key>\s*<string>)127\.0\.0\.1:11435/);
  const bad = await runCli(["--home", path.join(fakeHome, ".cortex"), "service", "install", "--http", "11435", "--dry-run"], { HOME: fakeHome });
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /must be host:port/);
});

test("the service sees what the shell sees: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN_PATH, CORTEX_MODEL_DIRS in effect at install go into the plist and the unit; a token value never does", async (t) => {
  const shell = {
    PATH: "/usr/bin",
    HF_HOME: "/Volumes/Data Disk/hf 100%",
    HUGGINGFACE_HUB_CACHE: "$HF_HOME/hub-legacy",
    HF_ENDPOINT: "https://hf-mirror.example.com/",
    HF_TOKEN_PATH: "~/secrets/hf-token",
    CORTEX_MODEL_DIRS: "/Volumes/Models:/opt/gguf",
    HF_TOKEN: "hf_secret_in_shell_only",
  };
  const want = {
    HF_HOME: "/Volumes/Data Disk/hf 100%",
    HF_HUB_CACHE: "/Volumes/Data Disk/hf 100%/hub-legacy",
    HF_ENDPOINT: "https://hf-mirror.example.com",
    HF_TOKEN_PATH: "/Users/ada/secrets/hf-token",
    CORTEX_MODEL_DIRS: "/Volumes/Models:/opt/gguf",
  };
  const mac = { ...defaultServiceValues("/Users/ada/.cortex", shell, "darwin", "/Users/ada"), logDir: "/Users/ada/Library/Logs/cortexd" };
  const plist = renderLaunchdPlist(mac);
  const env = (parse(plist) as { EnvironmentVariables: Record<string, string> }).EnvironmentVariables;
  assert.deepEqual(env, { PATH: env.PATH, CORTEX_HOME: "/Users/ada/.cortex", ...want });
  assert.ok(!plist.includes("hf_secret"), "no token value in the plist");
  assert.ok(mac.notes.some((n) => /HF_TOKEN is set in this shell only/.test(n) && /hf auth login|HF_TOKEN_PATH/.test(n)), mac.notes.join("\n"));
  assert.ok(!mac.notes.join("\n").includes("hf_secret"));

  const linux = defaultServiceValues("/home/ada/.cortex", shell, "linux", "/home/ada");
  const unit = renderSystemdUnit(linux);
  assert.ok(!unit.includes("hf_secret"), "no token value in the unit");
  // systemd's Environment= quoting: "K=V", backslash and quote escaped, % doubled (specifiers).
  const vars = Object.fromEntries([...unit.matchAll(/^Environment="([A-Z_]+)=((?:[^"\\]|\\.)*)"$/gm)].map((m) => [m[1], m[2]!.replace(/\\(.)/g, "$1").replace(/%%/g, "%")]));
  assert.deepEqual(vars, { PATH: vars.PATH, CORTEX_HOME: "/home/ada/.cortex", ...want, HF_TOKEN_PATH: "/home/ada/secrets/hf-token" });
  assert.match(unit, /^Environment="CORTEX_HOME=\/home\/ada\/\.cortex"$/m);

  // Nothing HF-related set in the shell: nothing extra written, no note.
  const plain = defaultServiceValues("/Users/ada/.cortex", { PATH: "/usr/bin" }, "darwin", "/Users/ada");
  assert.deepEqual(Object.keys((parse(renderLaunchdPlist(plain)) as { EnvironmentVariables: Record<string, string> }).EnvironmentVariables).sort(), ["CORTEX_HOME", "PATH"]);
  assert.deepEqual(plain.notes, []);

  const fakeHome = tempDir(t);
  const r = await runCli(["--home", path.join(fakeHome, ".cortex"), "service", "install", "--dry-run"], { HOME: fakeHome, HF_HUB_CACHE: "/data/hub", HF_TOKEN: "hf_secret_in_shell_only", HUGGING_FACE_HUB_TOKEN: "" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /HF_HUB_CACHE=\/data\/hub/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes("hf_secret"), "the token is never printed");
  assert.match(r.stderr, /HF_TOKEN is set in this shell only/);
});

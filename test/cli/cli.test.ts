import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

test("cortex status prints a human summary and --json for scripts", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const human = await runCli(["--home", home, "status"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^cortexd\s+\d+\.\d+\.\d+ \(pid \d+, up /m);
  assert.match(human.stdout, /^redis\s+embedded healthy/m);
  assert.match(human.stdout, /^downloads\s+0\s+0/m);
  const json = await runCli(["--home", home, "--json", "status"]);
  assert.equal(json.code, 0);
  const parsed = JSON.parse(json.stdout) as { home: string; redis: { healthy: boolean } };
  assert.equal(parsed.home, home);
  assert.equal(parsed.redis.healthy, true);
});

test("cortex config shows effective values with their sources; secrets are redacted", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { env: { CORTEX_KEEP_ALIVE: "42", HF_TOKEN: "hf_secret_value" } });
  t.after(() => d.stop());
  const r = await runCli(["--home", home, "--json", "config"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { from: string; entries: { key: string; value: string; source: string }[] };
  assert.equal(out.from, "running daemon");
  const get = (k: string) => out.entries.find((e) => e.key === k)!;
  assert.deepEqual([get("keepAliveSeconds").value, get("keepAliveSeconds").source], ["42", "env"]);
  assert.deepEqual([get("home").source], ["flag"]);
  assert.equal(get("hfToken").value, '"***"');
  assert.ok(!r.stdout.includes("hf_secret_value"));
  assert.ok(!d.output().includes("hf_secret_value"), "secrets never logged");
});

test("when the daemon is not running the CLI says so and how to start it, exit non-zero", async (t) => {
  const home = path.join(tempDir(t), "h");
  const r = await runCli(["--home", home, "status"]);
  assert.equal(r.code, 69);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^cortex: cortexd is not running \(nothing answers on .*cortexd\.sock\)\. Start it with `cortex daemon`/);
  assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  const cfg = await runCli(["--home", home, "--json", "config"]);
  assert.equal(cfg.code, 0, "config falls back to a local computation");
  assert.match(JSON.parse(cfg.stdout).from, /computed locally/);
});

test("cortex daemon runs the same daemon as cortexd", async (t) => {
  const home = path.join(tempDir(t), "h");
  const { spawn } = await import("node:child_process");
  const { CLI_MAIN } = await import("../helpers/daemon.js");
  const proc = spawn(process.execPath, [CLI_MAIN, "daemon", "--home", home, "--log-level", "info"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once("exit", r));
  t.after(() => void (proc.exitCode === null && proc.kill("SIGKILL")));
  // Up to 30 s, as startDaemon: the whole suite runs two files at once on a loaded machine.
  for (let i = 0; i < 600 && !out.includes("cortexd ready"); i++) await new Promise((r) => setTimeout(r, 50));
  const s = await runCli(["--home", home, "--json", "status"]);
  assert.equal(JSON.parse(s.stdout).pid, proc.pid);
  proc.kill("SIGTERM");
  assert.equal(await exited, 0);
});

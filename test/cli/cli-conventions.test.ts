import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

const jsonError = (stderr: string) => (JSON.parse(stderr.trim().split("\n").at(-1)!) as { error: { code: string; status: string; message: string } }).error;

test("usage errors exit 64 everywhere, as one JSON error object on stderr with --json; unknown words are refused before anything is sent", async (t) => {
  const home = path.join(tempDir(t), "nothing-runs-here");
  const unknown = await runCli(["--home", home, "--json", "frobnicate"]);
  assert.equal(unknown.code, 64);
  assert.deepEqual(jsonError(unknown.stderr), { code: "CLI_USAGE", status: "INVALID_ARGUMENT", message: "unknown command 'frobnicate'" });
  assert.equal(unknown.stdout, "");
  const human = await runCli(["--home", home, "run"]);
  assert.equal(human.code, 64);
  assert.equal(human.stderr.match(/missing required argument 'model'/g)?.length, 1, "said once");
  // No daemon runs here: these fail before any call (they would otherwise exit 69).
  for (const args of [["ls", "--quant", "q9_z"], ["clean", "--quantization", "q9_z"], ["ls", "--format", "onnx"], ["jobs", "--state", "weird"], ["jobs", "--limit", "0"], ["convert", "x", "--to", "onnx"], ["quantize", "m", "Q4_K_M", "--threads", "two"], ["load", "m", "--ctx", "big"]]) {
    const r = await runCli(["--home", home, "--json", ...args]);
    assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(jsonError(r.stderr).status, "INVALID_ARGUMENT", args.join(" "));
  }
  const down = await runCli(["--home", home, "--json", "stop", "some-model"]);
  assert.equal(down.code, 69, "`stop` is a command (Ollama's name for unload); the daemon is not running");
  assert.deepEqual({ ...jsonError(down.stderr), message: "" }, { code: "DAEMON_UNAVAILABLE", status: "UNAVAILABLE", message: "" });
  const service = await runCli(["--home", home, "--json", "service", "status"], { HOME: tempDir(t), XDG_CONFIG_HOME: "" });
  assert.equal(service.code, 4, "not installed: LSB status 4");
  assert.equal((JSON.parse(service.stdout) as { installed: boolean }).installed, false);
});

test("--json against a daemon: objects with named arrays, daemon errors as {error: {code, status, message}}, run as NDJSON ending with the stats", async (t) => {
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  const jobs = await runCli(["--home", home, "--json", "jobs"]);
  assert.equal(jobs.code, 0, jobs.stderr);
  assert.deepEqual(JSON.parse(jobs.stdout), { jobs: [] });
  const rm = await runCli(["--home", home, "--json", "rm", "no-such-model"]);
  assert.equal(rm.code, 1);
  assert.deepEqual({ ...jsonError(rm.stderr), message: "" }, { code: "REG_NOT_FOUND", status: "NOT_FOUND", message: "" });
  const manifests = await runCli(["--home", home, "--json", "manifest", "show"]);
  assert.deepEqual(JSON.parse(manifests.stdout), { manifests: [] });

  const skip = tinyModelsUnavailable();
  if (skip) return t.skip(skip);
  copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
  const run = await runCli(["--home", home, "--json", "run", "tiny.gguf", "Once upon a time", "--temperature", "0", "--max-tokens", "8"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { text: string; done?: boolean; stats?: { generated_tokens: number; finish_reason: string } });
  const last = lines.at(-1)!;
  assert.equal(last.done, true);
  assert.equal(last.text, lines.slice(0, -1).map((l) => l.text).join(""), "the final object carries the whole answer");
  assert.ok(lines.length >= 2, "at least one piece before the final object");
  assert.equal(last.stats?.generated_tokens, 8);
  assert.equal(last.stats?.finish_reason, "length");
});

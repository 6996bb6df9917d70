import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { startDaemon } from "../helpers/daemon.js";
import { requireTool } from "../helpers/require-tool.js";
import { tempDir } from "../helpers/temp-dir.js";
import { protoOnlyCopy } from "./proto-only.js";

const PYTHON = "/usr/bin/python3";

/** CI installs python3-grpcio and protoc and sets CORTEX_REQUIRE_PYTHON=1, so there a missing piece fails. */
function pythonMissing(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return `${PYTHON} cannot import grpc (apt-get install python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)`;
  return undefined;
}

test("the Python example, from proto/ alone, calls Health, reflection, GetStatus and reads rich error details over the unix socket and over TCP with the token", async (t) => {
  const skip = requireTool("PYTHON", pythonMissing());
  if (skip) return t.skip(skip);
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"] });
  t.after(() => d.stop());
  const script = path.join(protoOnlyCopy(t, "python"), "examples", "python", "cortex_client.py");
  const run = (args: string[]) => {
    const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  };
  const viaSocket = run(["--home", home]);
  assert.equal(viaSocket.health, "SERVING");
  assert.equal(viaSocket.model_service_health, "SERVING");
  assert.equal(viaSocket.pid, d.proc.pid);
  assert.equal(viaSocket.redis_healthy, true);
  assert.deepEqual(viaSocket.queues, ["downloads", "conversions", "quantizations"]);
  assert.ok((viaSocket.services as string[]).includes("cortex.v1.ModelService"));
  assert.deepEqual(viaSocket.error, { status: "NOT_FOUND", reason: "REG_NOT_FOUND", domain: "cortexd" });

  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const token = fs.readFileSync(path.join(home, "token"), "utf8").trim();
  const viaTcp = run(["--address", address, "--token", token]);
  assert.equal(viaTcp.pid, d.proc.pid);
  const denied = spawnSync(PYTHON, [script, "--address", address, "--token", "nope"], { encoding: "utf8", timeout: 60_000 });
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /UNAUTHENTICATED/);
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(ROOT, "examples", "python", "cortex_client.py");

/** CI installs python3-grpcio and protoc and sets CORTEX_REQUIRE_PYTHON=1, so there a missing piece fails. */
function pythonReady(): string | undefined {
  const r = spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return `${PYTHON} cannot import grpc (apt-get install python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)`;
  return undefined;
}

test("the Python example calls Health, reflection and GetStatus over the unix socket and over TCP with the token", async (t) => {
  const missing = pythonReady();
  if (missing) {
    if (process.env.CORTEX_REQUIRE_PYTHON === "1") assert.fail(missing);
    t.skip(missing);
    return;
  }
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"] });
  t.after(() => d.stop());
  const run = (args: string[]) => {
    const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", timeout: 60_000 });
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

  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const token = fs.readFileSync(path.join(home, "token"), "utf8").trim();
  const viaTcp = run(["--address", address, "--token", token]);
  assert.equal(viaTcp.pid, d.proc.pid);
  const denied = spawnSync(PYTHON, [SCRIPT, "--address", address, "--token", "nope"], { encoding: "utf8", timeout: 60_000 });
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /UNAUTHENTICATED/);
});

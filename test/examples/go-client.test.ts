import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { startDaemon } from "../helpers/daemon.js";
import { requireTool } from "../helpers/require-tool.js";
import { tempDir } from "../helpers/temp-dir.js";
import { protoOnlyCopy } from "./proto-only.js";

/** CI installs Go, protoc-gen-go(-grpc) and grpc-go from Debian and sets CORTEX_REQUIRE_GO=1. */
function goMissing(): string | undefined {
  for (const tool of ["go", "protoc", "protoc-gen-go", "protoc-gen-go-grpc"]) {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (r.status !== 0) return `${tool} not found (apt-get install golang-go protobuf-compiler protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-genproto-dev golang-github-golang-protobuf-1-5-dev)`;
  }
  return undefined;
}

test("the Go example, built from proto/ alone (GOPATH build against Debian's grpc-go), calls Health and GetStatus and decodes ErrorInfo, over the unix socket and TCP", async (t) => {
  const skip = requireTool("GO", goMissing());
  if (skip) return t.skip(skip);
  const home = path.join(tempDir(t), "h");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"] });
  t.after(() => d.stop());
  const script = path.join(protoOnlyCopy(t, "go"), "examples", "go", "run.sh");
  const run = (args: string[]) => {
    const r = spawnSync("bash", [script, ...args], { encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  };
  const viaSocket = run(["--home", home]);
  assert.equal(viaSocket.health, "SERVING");
  assert.equal(viaSocket.pid, d.proc.pid);
  assert.equal(viaSocket.redis_healthy, true);
  assert.deepEqual(viaSocket.queues, ["downloads", "conversions", "quantizations"]);
  assert.deepEqual(viaSocket.error, { status: "NotFound", reason: "REG_NOT_FOUND", domain: "cortexd" });

  const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
  const address = status.listeners.find((l) => l.startsWith("127.0.0.1:"))!;
  const token = fs.readFileSync(path.join(home, "token"), "utf8").trim();
  assert.equal(run(["--address", address, "--token", token]).pid, d.proc.pid);
  const denied = spawnSync("bash", [script, "--address", address, "--token", "nope"], { encoding: "utf8", timeout: 300_000 });
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /Unauthenticated/);
});

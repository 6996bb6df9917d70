import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import fs from "node:fs";
import { CLI_MAIN, ROOT } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { compiledImports, staticClosure } from "../structure/import-graph.js";

const FORBIDDEN_ROOMS = ["daemon", "jobs", "inference", "store", "hub", "redis", "convert", "mlx", "quantize"];
const FORBIDDEN_PACKAGES = ["bullmq", "ioredis", "node-llama-cpp", "@grpc/proto-loader", "zod", "pino", "koffi", "@huggingface/hub", "grpc-health-check", "@grpc/reflection"];

test("the CLI is a client: what `cortex` loads before any command runs holds no daemon, jobs, inference or their libraries", () => {
  const closure = staticClosure(compiledImports(path.join(ROOT, "dist"), ["src"]), path.join("src", "cli", "main.js"));
  const rooms = [...closure].filter((f) => FORBIDDEN_ROOMS.some((r) => f.startsWith(path.join("src", r) + path.sep)));
  const packages = [...closure].filter((f) => FORBIDDEN_PACKAGES.includes(f));
  assert.deepEqual(rooms, [], "modules of the daemon's rooms");
  assert.deepEqual(packages, [], "server-side packages");
});

test("at run time too: `cortex status` against no daemon loads none of them, nor protobufjs' parser (checked from inside the process)", (t) => {
  // A preload that reports, at exit, every CommonJS module file the process loaded (all the packages above are CommonJS).
  const probe = path.join(tempDir(t), "probe.cjs");
  fs.writeFileSync(probe, `process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache)) + "\\n"));`);
  const r = spawnSync(process.execPath, ["--require", probe, CLI_MAIN, "--home", "/nonexistent-cortex-home", "status"], { encoding: "utf8", cwd: ROOT });
  assert.equal(r.status, 69, r.stderr);
  const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]!) as string[];
  for (const pkg of FORBIDDEN_PACKAGES) assert.ok(!loaded.some((f) => f.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`)), `${pkg} was loaded`);
  assert.ok(loaded.some((f) => f.includes(`${path.sep}@grpc${path.sep}grpc-js${path.sep}`)), "grpc-js is loaded (the probe sees CommonJS modules)");
  const protobufjs = loaded.filter((f) => f.includes(`${path.sep}node_modules${path.sep}protobufjs${path.sep}`)).map((f) => f.slice(f.lastIndexOf(`protobufjs${path.sep}`)));
  assert.ok(!protobufjs.some((f) => /src[\\/](parse|root|type|converter)\.js$/.test(f)), `only protobufjs/minimal: ${protobufjs.join(", ")}`);
});

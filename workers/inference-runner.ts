import { parseArgs } from "node:util";
import { createEngine, isEngineKind } from "../src/inference/engine/engine.js";
import { serveRunner, type RunnerPort } from "../src/inference/runner/serve-runner.js";

/**
 * A runner process: holds one model for the daemon's inference pool, so a model that makes llama.cpp abort
 * costs this process, not the daemon. Started by runner/child-runner.ts with `fork` and an IPC channel.
 */
const { values } = parseArgs({ options: { threads: { type: "string" }, gpu: { type: "string" }, "piece-interval-ms": { type: "string" }, engine: { type: "string" } } });
if (!process.send) {
  process.stderr.write("inference-runner must be started by cortexd (it needs an IPC channel)\n");
  process.exit(64);
}
// The daemon is our only reason to live: if it goes away, so do we (no orphaned models holding memory).
process.on("disconnect", () => process.exit(0));

const kind = values.engine ?? "native";
if (!isEngineKind(kind)) {
  process.stderr.write(`inference-runner: --engine ${kind} is not an engine (native, node-llama-cpp)\n`);
  process.exit(64);
}
const engine = await createEngine(kind, { threads: Number(values.threads) || 1, gpu: values.gpu === "off" ? false : "auto" });
const port = process as unknown as RunnerPort;
// Absent or unreadable: serveRunner's default.
const interval = Number(values["piece-interval-ms"] ?? NaN);
serveRunner(engine, port, () => process.exit(0), Number.isFinite(interval) && interval >= 0 ? { pieceIntervalMs: interval } : {});
port.send({ t: "hello", device: await engine.device(), pid: process.pid });

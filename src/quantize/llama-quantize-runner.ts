/**
 * Entry point that runs one llama_model_quantize call for llama-quantize-file.ts, either as a forked child
 * process (IPC channel) or as a worker thread (parentPort). It reports each tensor llama.cpp starts (parsed
 * from its "[  i/  n] name" log lines, which it prints on the calling thread) and the warnings and errors.
 */
import { parentPort } from "node:worker_threads";
import { isCortexError } from "../errors/cortex-error.js";
import { dieWithParent, PARENT_PID_ENV } from "../platform/die-with-parent.js";
import { GGML_LOG_LEVEL, loadGgmlNative, type LlamaQuantizeParams, type NativeVersionInfo } from "./ggml-native.js";

/** What the parent sends. @internal */
export interface RunnerRequest {
  inPath: string;
  outPath: string;
  params: Partial<LlamaQuantizeParams>;
  libDir: string | undefined;
}

/** What the runner sends back. @internal */
export type RunnerMessage =
  | { kind: "tensor"; index: number; total: number; name: string }
  | { kind: "log"; level: number; text: string }
  | { kind: "done"; version: NativeVersionInfo }
  | { kind: "error"; code: string; message: string };

const TENSOR_LINE = /^\[\s*(\d+)\/\s*(\d+)\]\s+(\S+)/;

/** Run the quantization, streaming progress through `send`; returns the final message. */
function run(req: RunnerRequest, send: (m: RunnerMessage) => void): RunnerMessage {
  try {
    const lib = loadGgmlNative(req.libDir === undefined ? {} : { libDir: req.libDir });
    // llama.cpp prints one line in several calls ("[ 3/39] name … type = f16, " "converting to q4_K .. "
    // "size = … \n"), so text is joined per level until a newline. A tensor's line ends once it is written.
    const pending = new Map<number, string>();
    let lastLevel: number = GGML_LOG_LEVEL.INFO;
    const onLine = (level: number, line: string) => {
      const m = TENSOR_LINE.exec(line);
      if (m) send({ kind: "tensor", index: Number(m[1]), total: Number(m[2]), name: m[3]! });
      else if (level === GGML_LOG_LEVEL.WARN || level === GGML_LOG_LEVEL.ERROR) send({ kind: "log", level, text: line });
    };
    lib.llamaModelQuantize(req.inPath, req.outPath, req.params, (level, text) => {
      if (level !== GGML_LOG_LEVEL.CONT) lastLevel = level;
      let buf = (pending.get(lastLevel) ?? "") + text;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== "") onLine(lastLevel, line);
      }
      pending.set(lastLevel, buf);
    });
    for (const [level, rest] of pending) if (rest.trim() !== "") onLine(level, rest.trim());
    return { kind: "done", version: lib.versionInfo() };
  } catch (err) {
    return { kind: "error", code: isCortexError(err) ? err.code : "QUANT_FAILED", message: err instanceof Error ? err.message : String(err) };
  }
}

const port = parentPort;
if (port) {
  port.once("message", (req: RunnerRequest) => port.postMessage(run(req, (m) => port.postMessage(m))));
} else if (process.send) {
  // A kill -9 of the worker (or of the daemon, which ends the worker) must end this process too, mid-call.
  dieWithParent(Number(process.env[PARENT_PID_ENV]) || undefined);
  process.once("message", (req: RunnerRequest) => {
    const final = run(req, (m) => process.send!(m));
    // Leave once the final message is flushed to the parent.
    process.send!(final, () => process.disconnect());
  });
} else {
  throw new Error("llama-quantize-runner.js must run as a worker thread or a forked child process");
}

/**
 * Worker-thread entry for quantize-pool.ts: quantizes one block of rows with the same function the main
 * thread would call, and transfers the results back (no copies).
 */
import { parentPort } from "node:worker_threads";
import { isCortexError } from "../errors/cortex-error.js";
import { affineQuantize, affineQuantizeBytes } from "./affine-quantize.js";
import { affineQuantizeFileRange } from "./quantize-file-range.js";
import type { QuantizeTask, QuantizeTaskResult } from "./quantize-pool.js";

const port = parentPort;
if (!port) throw new Error("quantize-worker.js must run in a worker thread");

port.on("message", (task: QuantizeTask) => {
  let reply: QuantizeTaskResult;
  try {
    const { w } = task;
    const q =
      w instanceof Float32Array
        ? affineQuantize(w, task.rows, task.cols, task.options)
        : "file" in w
          ? affineQuantizeFileRange(w, task.rows, task.cols, task.options)
          : affineQuantizeBytes(w.bytes, w.dtype, task.rows, task.cols, task.options);
    reply = { id: task.id, ok: true, weight: q.weight, scales: q.scales, biases: q.biases };
    port.postMessage(reply, [q.weight.buffer as ArrayBuffer, q.scales.buffer as ArrayBuffer, q.biases.buffer as ArrayBuffer]);
  } catch (err) {
    reply = {
      id: task.id,
      ok: false,
      code: isCortexError(err) ? err.code : "QUANT_FAILED",
      message: err instanceof Error ? err.message : String(err),
    };
    port.postMessage(reply);
  }
});

/**
 * Worker-thread entry for quantize-pool.ts: quantizes one block of rows with the same functions the main
 * thread would call and writes the results, dtype bytes included, into the job's shared result arrays.
 */
import { parentPort } from "node:worker_threads";
import { isCortexError } from "../errors/cortex-error.js";
import { affineQuantize, affineQuantizeBytes } from "./affine-quantize.js";
import { affineKernelAvailable } from "./affine-kernel.js";
import { encodeDtypeInto } from "./float-convert.js";
import { affineQuantizeFileRange } from "./quantize-file-range.js";
import type { QuantizeTask, QuantizeTaskResult } from "./quantize-pool.js";

const port = parentPort;
if (!port) throw new Error("quantize-worker.js must run in a worker thread");

affineKernelAvailable(); // compile the kernel now, before the first block arrives

port.on("message", (task: QuantizeTask) => {
  let reply: QuantizeTaskResult;
  try {
    const { w, out } = task;
    const q =
      w instanceof Float32Array
        ? affineQuantize(w, task.rows, task.cols, task.options)
        : "file" in w
          ? affineQuantizeFileRange(w, task.rows, task.cols, task.options, out)
          : affineQuantizeBytes(w.bytes, w.dtype, task.rows, task.cols, task.options);
    if (q.weight !== out.weight) out.weight.set(q.weight);
    if (q.scales !== out.scales) out.scales.set(q.scales);
    if (q.biases !== out.biases) out.biases.set(q.biases);
    encodeDtypeInto(q.scales, q.dtype, out.scalesBytes);
    encodeDtypeInto(q.biases, q.dtype, out.biasesBytes);
    reply = { id: task.id, ok: true };
    port.postMessage(reply);
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

/**
 * Worker-thread entry for quantize-rows-pool.ts: loads llama.cpp's libraries once (first task) and quantizes
 * one block of rows per message with ggml_quantize_chunk, transferring the bytes back.
 */
import { parentPort } from "node:worker_threads";
import { isCortexError } from "../errors/cortex-error.js";
import { loadGgmlNative } from "./ggml-native.js";
import type { RowsTask, RowsTaskResult } from "./quantize-rows-pool.js";

const port = parentPort;
if (!port) throw new Error("quantize-rows-worker.js must run in a worker thread");

port.on("message", (task: RowsTask) => {
  try {
    const lib = loadGgmlNative(task.libDir === undefined ? {} : { libDir: task.libDir });
    const dst = new Uint8Array(task.nrows * lib.ggmlRowSize(task.type, task.nPerRow));
    lib.ggmlQuantizeChunk(task.type, task.src, dst, 0, task.nrows, task.nPerRow, task.imatrix);
    const reply: RowsTaskResult = { id: task.id, ok: true, dst };
    port.postMessage(reply, [dst.buffer as ArrayBuffer]);
  } catch (err) {
    const reply: RowsTaskResult = {
      id: task.id,
      ok: false,
      code: isCortexError(err) ? err.code : "QUANT_FAILED",
      message: err instanceof Error ? err.message : String(err),
    };
    port.postMessage(reply);
  }
});

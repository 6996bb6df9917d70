import { rm } from "node:fs/promises";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { GgufWriter } from "../formats/gguf/gguf-writer.js";
import type { ConvertProgress } from "./convert-hf-to-gguf.js";
import type { PlannedLayout } from "./gguf-model-header.js";

export interface WriteGgufFileInput<T extends PlannedLayout> {
  readonly path: string;
  /** The source folder, for error messages. */
  readonly sourceDir: string;
  readonly kv: { writeTo(w: GgufWriter): void };
  readonly plan: readonly T[];
  /** Each tensor's encoded bytes, in order (whole, or chunks of rows). */
  readonly chunks: (t: T) => AsyncIterable<Uint8Array>;
  readonly onProgress?: (p: ConvertProgress) => void;
  readonly checkAbort: () => void;
}

/**
 * Write a converter's GGUF: metadata, the planned tensor infos, then each tensor's bytes as they come. On any
 * error the file is removed; errors that are not CortexErrors become CONV_FAILED naming the source.
 */
export async function writeGgufFile<T extends PlannedLayout>(w: WriteGgufFileInput<T>): Promise<void> {
  const writer = await GgufWriter.create(w.path);
  try {
    w.kv.writeTo(writer);
    for (const t of w.plan) writer.addTensorInfo(t.name, t.dims, t.type, t.byteSize);
    await writer.writeHeader();
    const bytesTotal = w.plan.reduce((a, t) => a + t.byteSize, 0);
    let bytesDone = 0;
    for (const [i, t] of w.plan.entries()) {
      w.checkAbort();
      for await (const bytes of w.chunks(t)) {
        w.checkAbort();
        await writer.writeTensorData(t.name, bytes);
        bytesDone += bytes.byteLength;
        w.onProgress?.({ tensor: t.name, done: i, total: w.plan.length, bytesDone, bytesTotal });
      }
      w.onProgress?.({ tensor: t.name, done: i + 1, total: w.plan.length, bytesDone, bytesTotal });
    }
    await writer.finish();
  } catch (err) {
    await writer.abort().catch(() => undefined);
    await rm(w.path, { force: true });
    throw isCortexError(err) || !(err instanceof Error) ? err : new CortexError("CONV_FAILED", `converting ${w.sourceDir}: ${err.message}`, { cause: err });
  }
}

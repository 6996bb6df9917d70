/**
 * Worker-side reading for quantize-pool.ts: a block of a tensor is read from its checkpoint file straight into
 * the kernel's memory, chunk by chunk, so the source bytes are never held whole, copied between threads, or
 * touched by the daemon's event loop.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { CortexError } from "../errors/cortex-error.js";
import type { KernelInput } from "./affine-kernel.js";
import { affineQuantizeBytes, affineQuantizeDirect, directDtype, type AffineOutputArrays, type AffineQuantized, type AffineQuantizeOptions } from "./affine-quantize.js";

/** A block of rows of a tensor stored in a file (little-endian F32/F16/BF16). */
export interface FileTensorInput {
  file: string;
  /** Byte offset of the block's first element. */
  offset: number;
  dtype: "F32" | "F16" | "BF16";
}

export function elementSize(dtype: FileTensorInput["dtype"]): 2 | 4 {
  return dtype === "F32" ? 4 : 2;
}

/**
 * affineQuantizeBytes of the `rows × cols` elements at `input.offset`, read as needed. The kernel path writes
 * into `into` when given; check the returned arrays (a fallback returns new ones).
 */
export function affineQuantizeFileRange(input: FileTensorInput, rows: number, cols: number, options: AffineQuantizeOptions, into?: AffineOutputArrays): AffineQuantized {
  const size = elementSize(input.dtype);
  const fd = openSync(input.file, "r");
  try {
    const read = (dst: Uint8Array, position: number) => {
      for (let done = 0; done < dst.length; ) {
        const n = readSync(fd, dst, done, dst.length - done, position + done);
        if (n === 0) throw new CortexError("FMT_INVALID", `${input.file}: ${options.name ?? "tensor"} truncated at byte ${position + done}`);
        done += n;
      }
    };
    if (directDtype(input.dtype, options)) {
      const kernelInput: KernelInput = { bf16: size === 2, length: rows * cols, fill: (dst, start) => read(dst, input.offset + start * size) };
      const q = affineQuantizeDirect(kernelInput, rows, cols, options, into);
      if (q) return q;
    }
    const bytes = new Uint8Array(rows * cols * size);
    read(bytes, input.offset);
    return affineQuantizeBytes(bytes, input.dtype, rows, cols, options);
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs affineQuantize off the event loop on the worker threads of a RowBlockPool. A matrix is cut into blocks of whole rows
 * (groups never cross rows, so blocks are independent) and each worker writes its block's codes, scales,
 * biases and their dtype bytes straight into the result, which lives in SharedArrayBuffers: nothing is copied
 * back. Inputs reach the workers as views (SharedArrayBuffer), as transferred copies of their rows, or — for
 * a tensor in a file — as the place to read from. The result is bit-identical to affineQuantize on the whole
 * matrix: same per-group arithmetic.
 */
import { CortexError } from "../errors/cortex-error.js";
import { elementSize, type FileTensorInput } from "./quantize-file-range.js";
import { dtypeByteSize } from "./float-convert.js";
import { validateAffineParams, type AffineQuantized, type AffineQuantizeOptions } from "./affine-quantize.js";
import { RowBlockPool, type BlockAnswer } from "../platform/row-block-pool.js";

/** Raw little-endian tensor bytes to quantize (converted to f32 in the worker, not on the caller's thread). */
export interface RawTensorInput {
  bytes: Uint8Array;
  dtype: "F32" | "F16" | "BF16";
}

type Input = Float32Array | RawTensorInput | FileTensorInput;

/** Where a worker writes its block's results: views of the job's shared result arrays. @internal */
export interface QuantizeTaskOutput {
  weight: Uint32Array;
  scales: Float32Array;
  biases: Float32Array;
  scalesBytes: Uint8Array;
  biasesBytes: Uint8Array;
}

/** Message to a worker: f32 values, raw bytes, or where in a file to read them. @internal */
export interface QuantizeTask {
  id: number;
  w: Input;
  rows: number;
  cols: number;
  options: AffineQuantizeOptions;
  out: QuantizeTaskOutput;
}

/** Message from a worker. @internal */
export type QuantizeTaskResult = BlockAnswer;

export interface QuantizePoolOptions {
  /** Worker threads. @default max(1, availableParallelism − 1) */
  threads?: number;
  /** Largest block, in elements (bounds the extra memory of the copies in flight). @default 4,194,304 */
  maxBlockElements?: number;
}

const sharedPools = new Map<number, QuantizePool>();

const WORKER_URL = new URL("./quantize-worker.js", import.meta.url);

/** A pool of quantization workers. Workers start on first use; `close()` stops them. */
export class QuantizePool {
  private constructor(private readonly pool: RowBlockPool) {}

  get threads(): number {
    return this.pool.threads;
  }

  /** @throws CortexError REQ_INVALID_ARGUMENT for a thread count or block size that is not a positive integer */
  static create(options: QuantizePoolOptions = {}): QuantizePool {
    return new QuantizePool(new RowBlockPool("quantize pool", WORKER_URL, "QUANT_FAILED", options));
  }

  /**
   * Quantize a row-major `[rows, cols]` matrix on the workers (same contract as affineQuantize).
   * `w` is not modified. An aborted signal rejects with JOB_CANCELLED; blocks already running finish unused.
   */
  quantize(w: Float32Array, rows: number, cols: number, options: AffineQuantizeOptions, signal?: AbortSignal): Promise<AffineQuantized> {
    return this.submit(w, rows, cols, options, signal);
  }

  /**
   * Quantize raw tensor bytes (F32/F16/BF16) as quantize() would their f32 values: all per-element work
   * (conversion included) runs on the workers. Bytes over a SharedArrayBuffer reach the workers without a copy.
   */
  quantizeBytes(input: RawTensorInput, rows: number, cols: number, options: AffineQuantizeOptions, signal?: AbortSignal): Promise<AffineQuantized> {
    return this.submit(input, rows, cols, options, signal);
  }

  /**
   * Quantize a `[rows, cols]` tensor stored in a file: each worker reads its own rows (see
   * quantize-file-range.ts), so neither reading nor conversion touches this thread.
   */
  quantizeFile(input: FileTensorInput, rows: number, cols: number, options: AffineQuantizeOptions, signal?: AbortSignal): Promise<AffineQuantized> {
    return this.submit(input, rows, cols, options, signal);
  }

  /**
   * One pool per thread count for the whole process, kept between jobs (its threads are unref'd while idle, so
   * they never hold the process): a job after the first starts on threads that have already loaded their code.
   */
  static shared(options: { threads?: number } = {}): QuantizePool {
    const key = options.threads ?? 0;
    let pool = sharedPools.get(key);
    if (!pool || pool.pool.closed) sharedPools.set(key, (pool = QuantizePool.create(options)));
    return pool;
  }

  /** Start every worker now (they load their code while the caller prepares the first job). */
  warmUp(): void {
    this.pool.warmUp();
  }

  /** Stop the workers; pending and later calls reject with QUANT_FAILED. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private submit(w: Input, rows: number, cols: number, options: AffineQuantizeOptions, signal?: AbortSignal): Promise<AffineQuantized> {
    try {
      if (this.pool.closed) throw this.pool.closedError();
      validateAffineParams(rows, cols, options, elementCount(w));
    } catch (err) {
      return Promise.reject(err);
    }
    const { bits, groupSize } = options;
    const dtype = options.dtype ?? "float32";
    const groups = rows * (cols / groupSize);
    const result: AffineQuantized = {
      weight: new Uint32Array(new SharedArrayBuffer((groups * groupSize * bits) / 8)),
      scales: new Float32Array(new SharedArrayBuffer(groups * 4)),
      biases: new Float32Array(new SharedArrayBuffer(groups * 4)),
      rows,
      cols,
      bits,
      groupSize,
      dtype,
      encoded: {
        scales: new Uint8Array(new SharedArrayBuffer(groups * dtypeByteSize(dtype))),
        biases: new Uint8Array(new SharedArrayBuffer(groups * dtypeByteSize(dtype))),
      },
    };
    return this.pool.run({
      rows,
      cols,
      result,
      signal,
      cancelled: () => cancelled(options),
      message: (rowStart, rowEnd) => blockTask(w, result, options, rowStart, rowEnd),
    });
  }
}

/** Block [rowStart, rowEnd)'s message: its input (a view, a transferred copy, or its place in the file) and its views of the result. */
function blockTask(w: Input, result: AffineQuantized, options: AffineQuantizeOptions, rowStart: number, rowEnd: number): { message: Omit<QuantizeTask, "id">; transfer: ArrayBuffer[] } {
  const { cols, groupSize, bits } = result;
  let data: Input;
  let transfer: ArrayBuffer[] = [];
  if ("file" in w) {
    data = { ...w, offset: w.offset + rowStart * cols * elementSize(w.dtype) };
  } else {
    const size = w instanceof Float32Array ? 4 : elementSize(w.dtype);
    const bytes = w instanceof Float32Array ? new Uint8Array(w.buffer, w.byteOffset, w.byteLength) : w.bytes;
    const shared = bytes.buffer instanceof SharedArrayBuffer;
    const view = shared ? bytes.subarray(rowStart * cols * size, rowEnd * cols * size) : bytes.slice(rowStart * cols * size, rowEnd * cols * size);
    if (!shared) transfer = [view.buffer as ArrayBuffer];
    data = w instanceof Float32Array ? new Float32Array(view.buffer, view.byteOffset, view.byteLength / 4) : { bytes: view, dtype: w.dtype };
  }
  const g0 = rowStart * (cols / groupSize);
  const g1 = rowEnd * (cols / groupSize);
  const esize = dtypeByteSize(result.dtype);
  const out: QuantizeTaskOutput = {
    weight: result.weight.subarray((g0 * groupSize * bits) / 32, (g1 * groupSize * bits) / 32),
    scales: result.scales.subarray(g0, g1),
    biases: result.biases.subarray(g0, g1),
    scalesBytes: result.encoded!.scales.subarray(g0 * esize, g1 * esize),
    biasesBytes: result.encoded!.biases.subarray(g0 * esize, g1 * esize),
  };
  return { message: { w: data, rows: rowEnd - rowStart, cols, options: { ...options, rowOffset: (options.rowOffset ?? 0) + rowStart }, out }, transfer };
}

function elementCount(w: Input): number | undefined {
  return w instanceof Float32Array ? w.length : "bytes" in w ? w.bytes.byteLength / elementSize(w.dtype) : undefined;
}

function cancelled(options: AffineQuantizeOptions): CortexError {
  return new CortexError("JOB_CANCELLED", `quantization of ${options.name ?? "weight"} was cancelled`);
}

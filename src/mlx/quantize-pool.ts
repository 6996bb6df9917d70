/**
 * Runs affineQuantize off the event loop on N worker threads. A matrix is cut into blocks of whole rows
 * (groups never cross rows, so blocks are independent); each block's rows are copied into a fresh buffer that
 * is transferred to a worker, and the worker transfers its packed weight, scales and biases back. The result
 * is bit-identical to affineQuantize on the whole matrix: same function, same per-group arithmetic.
 * A Float32Array over a SharedArrayBuffer is passed as a view instead of copied.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import { isErrorCode } from "../errors/codes.js";
import { elementSize, type FileTensorInput } from "./quantize-file-range.js";
import { validateAffineParams, type AffineQuantized, type AffineQuantizeOptions } from "./affine-quantize.js";

/** Raw little-endian tensor bytes to quantize (converted to f32 in the worker, not on the caller's thread). */
export interface RawTensorInput {
  bytes: Uint8Array;
  dtype: "F32" | "F16" | "BF16";
}

type Input = Float32Array | RawTensorInput | FileTensorInput;

/** Message to a worker: f32 values, raw bytes, or where in a file to read them. @internal */
export interface QuantizeTask {
  id: number;
  w: Input;
  rows: number;
  cols: number;
  options: AffineQuantizeOptions;
}

/** Message from a worker. @internal */
export type QuantizeTaskResult =
  | { id: number; ok: true; weight: Uint32Array; scales: Float32Array; biases: Float32Array }
  | { id: number; ok: false; code: string; message: string };

export interface QuantizePoolOptions {
  /** Worker threads. @default max(1, availableParallelism − 1) */
  threads?: number;
  /** Largest block, in elements (bounds the extra memory of the copies in flight). @default 4,194,304 */
  maxBlockElements?: number;
}

interface Job {
  result: AffineQuantized;
  remaining: number;
  done: boolean;
  /** Removes the abort listener. */
  cleanup?: () => void;
  resolve: (q: AffineQuantized) => void;
  reject: (err: unknown) => void;
}

interface Block {
  id: number;
  job: Job;
  w: Input;
  rowStart: number;
  rowEnd: number;
  options: AffineQuantizeOptions;
}

interface Slot {
  worker: Worker;
  block?: Block;
}

const WORKER_URL = new URL("./quantize-worker.js", import.meta.url);

/** A pool of quantization workers. Workers start on first use; `close()` stops them. */
export class QuantizePool {
  readonly threads: number;
  private readonly maxBlockElements: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Block[] = [];
  private nextId = 1;
  private closed = false;
  /** Unsettled quantize() calls: while any exists every worker is ref'd, so the process waits for them. */
  private active = 0;

  private constructor(threads: number, maxBlockElements: number) {
    this.threads = threads;
    this.maxBlockElements = maxBlockElements;
  }

  /** @throws CortexError REQ_INVALID_ARGUMENT for a thread count or block size that is not a positive integer */
  static create(options: QuantizePoolOptions = {}): QuantizePool {
    const threads = options.threads ?? Math.max(1, os.availableParallelism() - 1);
    const maxBlockElements = options.maxBlockElements ?? 1 << 22;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `quantize pool: threads must be an integer in [1, 256], got ${threads}`);
    }
    if (!Number.isInteger(maxBlockElements) || maxBlockElements < 1) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `quantize pool: maxBlockElements must be a positive integer, got ${maxBlockElements}`);
    }
    return new QuantizePool(threads, maxBlockElements);
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

  private submit(w: Input, rows: number, cols: number, options: AffineQuantizeOptions, signal?: AbortSignal): Promise<AffineQuantized> {
    try {
      if (this.closed) throw new CortexError("QUANT_FAILED", "quantize pool is closed");
      validateAffineParams(rows, cols, options, elementCount(w));
      if (signal?.aborted) throw cancelled(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const { bits, groupSize } = options;
    const groupsPerRow = cols / groupSize;
    const result: AffineQuantized = {
      weight: new Uint32Array((rows * cols * bits) / 32),
      scales: new Float32Array(rows * groupsPerRow),
      biases: new Float32Array(rows * groupsPerRow),
      rows,
      cols,
      bits,
      groupSize,
      dtype: options.dtype ?? "float32",
    };
    if (rows === 0) return Promise.resolve(result);

    const rowsPerBlock = Math.max(1, Math.min(Math.ceil(rows / this.threads), Math.floor(this.maxBlockElements / cols)));
    return new Promise<AffineQuantized>((resolve, reject) => {
      this.active++;
      this.updateRefs();
      const settle = () => {
        this.active--;
        this.updateRefs();
      };
      const job: Job = {
        result,
        remaining: 0,
        done: false,
        resolve: (q) => {
          settle();
          resolve(q);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      for (let start = 0; start < rows; start += rowsPerBlock) {
        job.remaining++;
        this.queue.push({ id: this.nextId++, job, w, rowStart: start, rowEnd: Math.min(rows, start + rowsPerBlock), options });
      }
      if (signal) {
        const onAbort = () => this.fail(job, cancelled(options));
        signal.addEventListener("abort", onAbort, { once: true });
        job.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      this.dispatch();
    });
  }

  /** Stop the workers; pending and later calls reject with QUANT_FAILED. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new CortexError("QUANT_FAILED", "quantize pool closed");
    for (const b of this.queue.splice(0)) this.fail(b.job, err);
    const slots = this.slots.splice(0);
    for (const s of slots) if (s.block) this.fail(s.block.job, err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => !s.block);
      if (!slot) {
        if (this.slots.length >= this.threads) return;
        slot = this.spawn();
      }
      const block = this.queue.shift()!;
      if (block.job.done) continue;
      slot.block = block;
      const { w, rowStart, rowEnd, options } = block;
      const cols = block.job.result.cols;
      const buffer = w instanceof Float32Array ? w.buffer : "bytes" in w ? w.bytes.buffer : undefined;
      const shared = buffer === undefined || (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer);
      let data: Input;
      if ("file" in w) {
        data = { ...w, offset: w.offset + rowStart * cols * elementSize(w.dtype) };
      } else if (w instanceof Float32Array) {
        const view = w.subarray(rowStart * cols, rowEnd * cols);
        data = shared ? view : view.slice();
      } else {
        const size = elementSize(w.dtype);
        const view = w.bytes.subarray(rowStart * cols * size, rowEnd * cols * size);
        data = { bytes: shared ? view : view.slice(), dtype: w.dtype };
      }
      const task: QuantizeTask = { id: block.id, w: data, rows: rowEnd - rowStart, cols, options: { ...options, rowOffset: (options.rowOffset ?? 0) + rowStart } };
      const owned = data instanceof Float32Array ? data.buffer : "bytes" in data ? data.bytes.buffer : undefined;
      slot.worker.postMessage(task, shared || !owned ? [] : [owned as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker };
    worker.on("message", (msg: QuantizeTaskResult) => this.onResult(slot, msg));
    worker.on("error", (err) => this.onWorkerGone(slot, `quantize worker crashed: ${err.message}`));
    worker.on("exit", (code) => this.onWorkerGone(slot, `quantize worker exited with code ${code}`));
    this.slots.push(slot);
    this.updateRefs();
    return slot;
  }

  private updateRefs(): void {
    for (const s of this.slots) {
      if (this.active > 0) s.worker.ref();
      else s.worker.unref();
    }
  }

  private onResult(slot: Slot, msg: QuantizeTaskResult): void {
    const block = slot.block;
    slot.block = undefined;
    if (block && block.id === msg.id && !block.job.done) {
      const job = block.job;
      if (msg.ok) {
        const { cols, bits, groupSize } = job.result;
        job.result.weight.set(msg.weight, (block.rowStart * cols * bits) / 32);
        job.result.scales.set(msg.scales, block.rowStart * (cols / groupSize));
        job.result.biases.set(msg.biases, block.rowStart * (cols / groupSize));
        if (--job.remaining === 0) {
          job.done = true;
          job.cleanup?.();
          job.resolve(job.result);
        }
      } else {
        this.fail(job, new CortexError(isErrorCode(msg.code) ? msg.code : "QUANT_FAILED", msg.message));
      }
    }
    this.dispatch();
  }

  private onWorkerGone(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already removed (close, or error followed by exit)
    this.slots.splice(i, 1);
    if (slot.block) this.fail(slot.block.job, new CortexError("QUANT_FAILED", reason));
    slot.block = undefined;
    this.dispatch();
  }

  private fail(job: Job, err: unknown): void {
    if (job.done) return;
    job.done = true;
    job.cleanup?.();
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.job === job) this.queue.splice(i, 1);
    job.reject(err);
  }
}

/** Elements given (undefined for a file range: its length is the shape's). */
function elementCount(w: Input): number | undefined {
  return w instanceof Float32Array ? w.length : "bytes" in w ? w.bytes.byteLength / elementSize(w.dtype) : undefined;
}

function cancelled(options: AffineQuantizeOptions): CortexError {
  return new CortexError("JOB_CANCELLED", `quantization of ${options.name ?? "weight"} was cancelled`);
}

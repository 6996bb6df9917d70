/**
 * Runs affineQuantize off the event loop on N worker threads. A matrix is cut into blocks of whole rows
 * (groups never cross rows, so blocks are independent) and each worker writes its block's codes, scales,
 * biases and their dtype bytes straight into the result, which lives in SharedArrayBuffers: nothing is copied
 * back. Inputs reach the workers as views (SharedArrayBuffer), as transferred copies of their rows, or — for
 * a tensor in a file — as the place to read from. The result is bit-identical to affineQuantize on the whole
 * matrix: same per-group arithmetic.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import { isErrorCode } from "../errors/codes.js";
import { elementSize, type FileTensorInput } from "./quantize-file-range.js";
import { dtypeByteSize } from "./float-convert.js";
import { validateAffineParams, type AffineQuantized, type AffineQuantizeOptions } from "./affine-quantize.js";

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
export type QuantizeTaskResult = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

export interface QuantizePoolOptions {
  /** Worker threads. @default max(1, availableParallelism − 1) */
  threads?: number;
  /** Largest block, in elements (bounds the extra memory of the copies in flight). @default 4,194,304 */
  maxBlockElements?: number;
}

const sharedPools = new Map<number, QuantizePool>();

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
  /** Blocks sent and not answered yet, by id. */
  blocks: Map<number, Block>;
}

/** Blocks a worker may hold at once (one running, one waiting in its message queue). */
const BLOCKS_PER_WORKER = 2;

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

  /**
   * One pool per thread count for the whole process, kept between jobs (its threads are unref'd while idle, so
   * they never hold the process): a job after the first starts on threads that have already loaded their code.
   */
  static shared(options: { threads?: number } = {}): QuantizePool {
    const key = options.threads ?? 0;
    let pool = sharedPools.get(key);
    if (!pool || pool.closed) sharedPools.set(key, (pool = QuantizePool.create(options)));
    return pool;
  }

  /** Start every worker now (they load their code while the caller prepares the first job). */
  warmUp(): void {
    while (!this.closed && this.slots.length < this.threads) this.spawn();
    this.updateRefs();
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
    for (const s of slots) for (const b of s.blocks.values()) this.fail(b.job, err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      // Fill idle workers first, then give each a second block so it never waits on this thread between blocks.
      let slot = this.slots.find((s) => s.blocks.size === 0);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      slot ??= this.slots.find((s) => s.blocks.size < BLOCKS_PER_WORKER);
      if (!slot) return;
      const block = this.queue.shift()!;
      if (block.job.done) continue;
      slot.blocks.set(block.id, block);
      const { w, rowStart, rowEnd, options } = block;
      const { result } = block.job;
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
      const task: QuantizeTask = { id: block.id, w: data, rows: rowEnd - rowStart, cols, options: { ...options, rowOffset: (options.rowOffset ?? 0) + rowStart }, out };
      slot.worker.postMessage(task, transfer);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, blocks: new Map() };
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
    const block = slot.blocks.get(msg.id);
    slot.blocks.delete(msg.id);
    if (block && !block.job.done) {
      const job = block.job;
      if (msg.ok) {
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
    for (const b of slot.blocks.values()) this.fail(b.job, new CortexError("QUANT_FAILED", reason));
    slot.blocks.clear();
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

function elementCount(w: Input): number | undefined {
  return w instanceof Float32Array ? w.length : "bytes" in w ? w.bytes.byteLength / elementSize(w.dtype) : undefined;
}

function cancelled(options: AffineQuantizeOptions): CortexError {
  return new CortexError("JOB_CANCELLED", `quantization of ${options.name ?? "weight"} was cancelled`);
}

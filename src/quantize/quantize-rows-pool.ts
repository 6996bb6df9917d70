/**
 * Runs ggml_quantize_chunk off the event loop on N worker threads, each of which loads llama.cpp's libraries
 * once. A tensor is cut into blocks of whole rows; ggml quantizes every row on its own, so the concatenated
 * blocks are byte-identical to one call over all rows. Input rows are copied and transferred to a worker
 * (or passed as a view when they live in a SharedArrayBuffer); quantized bytes are transferred back.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import { isErrorCode } from "../errors/codes.js";
import { GGML_TYPE_SIZES, ggmlTypeName } from "../formats/gguf/ggml-types.js";
import { CHUNK_TYPE_IDS, CHUNK_TYPES } from "./ggml-native-types.js";

/** Message to a worker. @internal */
export interface RowsTask {
  id: number;
  type: number;
  src: Float32Array;
  nrows: number;
  nPerRow: number;
  imatrix: Float32Array | undefined;
  libDir: string | undefined;
}

/** Message from a worker. @internal */
export type RowsTaskResult = { id: number; ok: true; dst: Uint8Array } | { id: number; ok: false; code: string; message: string };

export interface QuantizeRowsPoolOptions {
  /** Worker threads. @default max(1, availableParallelism − 1) */
  threads?: number;
  /** Largest block, in input floats (bounds the memory of the copies in flight). @default 4,194,304 */
  maxBlockElements?: number;
  /** Load the libraries from here instead of node-llama-cpp's prebuilt package. */
  libDir?: string;
}

export interface QuantizeRowsOptions {
  /** Importance matrix: one weight per column (nPerRow floats). */
  imatrix?: Float32Array;
  signal?: AbortSignal;
  /** Tensor name for messages. */
  name?: string;
}

interface Job {
  out: Uint8Array;
  rowSize: number;
  remaining: number;
  done: boolean;
  name: string;
  cleanup?: () => void;
  resolve: (out: Uint8Array) => void;
  reject: (err: unknown) => void;
}

interface Block {
  id: number;
  job: Job;
  task: RowsTask;
    rowStart: number;
}

interface Slot {
  worker: Worker;
  block?: Block;
}

const WORKER_URL = new URL("./quantize-rows-worker.js", import.meta.url);
/** A pool of row-quantization workers. Workers start on first use; `close()` stops them. */
export class QuantizeRowsPool {
  readonly threads: number;
  private readonly maxBlockElements: number;
  private readonly libDir: string | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Block[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(threads: number, maxBlockElements: number, libDir: string | undefined) {
    this.threads = threads;
    this.maxBlockElements = maxBlockElements;
    this.libDir = libDir;
  }

  /** @throws CortexError REQ_INVALID_ARGUMENT for a thread count or block size that is not a positive integer */
  static create(options: QuantizeRowsPoolOptions = {}): QuantizeRowsPool {
    const threads = options.threads ?? Math.max(1, os.availableParallelism() - 1);
    const maxBlockElements = options.maxBlockElements ?? 1 << 22;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `quantize rows pool: threads must be an integer in [1, 256], got ${threads}`);
    }
    if (!Number.isInteger(maxBlockElements) || maxBlockElements < 1) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `quantize rows pool: maxBlockElements must be a positive integer, got ${maxBlockElements}`);
    }
    return new QuantizeRowsPool(threads, maxBlockElements, options.libDir);
  }

  /**
   * Quantize `nrows` rows of `nPerRow` floats (`src[0 … nrows·nPerRow)`) to ggml `type`; resolves with
   * `nrows · rowSize` bytes, identical to one `ggmlQuantizeChunk` call. `src` is not modified.
   * @throws (rejects) QUANT_UNSUPPORTED_TYPE, REQ_INVALID_ARGUMENT (checked before any work), JOB_CANCELLED
   *   when `signal` aborts, QUANT_FAILED when a worker dies or the pool is closed.
   */
  quantizeRows(type: number, src: Float32Array, nrows: number, nPerRow: number, options: QuantizeRowsOptions = {}): Promise<Uint8Array> {
    const name = options.name ?? "tensor";
    let rowSize: number;
    try {
      if (this.closed) throw new CortexError("QUANT_FAILED", "quantize rows pool is closed");
      rowSize = checkRowsArgs(type, src, nrows, nPerRow, options.imatrix, name);
      if (options.signal?.aborted) throw cancelled(name);
    } catch (err) {
      return Promise.reject(err);
    }
    const out = new Uint8Array(nrows * rowSize);
    if (nrows === 0) return Promise.resolve(out);
    const rowsPerBlock = Math.max(1, Math.min(Math.ceil(nrows / this.threads), Math.floor(this.maxBlockElements / nPerRow)));
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = { out, rowSize, remaining: 0, done: false, name, resolve, reject };
      for (let r = 0; r < nrows; r += rowsPerBlock) {
        const n = Math.min(rowsPerBlock, nrows - r);
        job.remaining++;
        // Copies are made at dispatch time, so only the blocks in flight hold extra memory.
        this.queue.push({ id: this.nextId++, job, rowStart: r, task: { id: 0, type, src, nrows: n, nPerRow, imatrix: options.imatrix, libDir: this.libDir } });
      }
      if (options.signal) {
        const signal = options.signal;
        const onAbort = () => this.fail(job, cancelled(name));
        signal.addEventListener("abort", onAbort, { once: true });
        job.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      this.dispatch();
    });
  }

  /** Stop the workers; pending and later calls reject with QUANT_FAILED. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new CortexError("QUANT_FAILED", "quantize rows pool closed");
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
      const { task } = block;
      const full = task.src;
      const view = full.subarray(block.rowStart * task.nPerRow, (block.rowStart + task.nrows) * task.nPerRow);
      const shared = typeof SharedArrayBuffer !== "undefined" && full.buffer instanceof SharedArrayBuffer;
      const src = shared ? view : view.slice();
      const msg: RowsTask = { ...task, id: block.id, src };
      slot.block = block;
      slot.worker.ref();
      slot.worker.postMessage(msg, shared ? [] : [src.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker };
    worker.on("message", (msg: RowsTaskResult) => this.onResult(slot, msg));
    worker.on("error", (err) => this.onWorkerGone(slot, `quantize worker crashed: ${err.message}`));
    worker.on("exit", (code) => this.onWorkerGone(slot, `quantize worker exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private onResult(slot: Slot, msg: RowsTaskResult): void {
    const block = slot.block;
    slot.block = undefined;
    slot.worker.unref();
    if (block && block.id === msg.id && !block.job.done) {
      const job = block.job;
      if (msg.ok) {
        job.out.set(msg.dst, block.rowStart * job.rowSize);
        if (--job.remaining === 0) {
          job.done = true;
          job.cleanup?.();
          job.resolve(job.out);
        }
      } else {
        this.fail(job, new CortexError(isErrorCode(msg.code) ? msg.code : "QUANT_FAILED", `${job.name}: ${msg.message}`));
      }
    }
    this.dispatch();
  }

  private onWorkerGone(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already removed (close, or error followed by exit)
    this.slots.splice(i, 1);
    if (slot.block) this.fail(slot.block.job, new CortexError("QUANT_FAILED", `${slot.block.job.name}: ${reason}`));
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

/**
 * The checks ggmlQuantizeChunk makes, on the JS type tables (the main thread never loads the libraries).
 * @returns bytes per quantized row
 */
function checkRowsArgs(type: number, src: Float32Array, nrows: number, nPerRow: number, imatrix: Float32Array | undefined, name: string): number {
  if (!CHUNK_TYPE_IDS.has(type)) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${name}: ggml type ${ggmlTypeName(type) ?? `id ${type}`} is not supported (supported: ${CHUNK_TYPES.join(", ")})`);
  }
  const invalid = (m: string) => new CortexError("REQ_INVALID_ARGUMENT", `${name}: ${m}`);
  if (!(src instanceof Float32Array)) throw invalid("src must be a Float32Array");
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw invalid(`nrows must be a non-negative integer, got ${String(nrows)}`);
  if (!Number.isSafeInteger(nPerRow) || nPerRow < 1) throw invalid(`nPerRow must be a positive integer, got ${String(nPerRow)}`);
  const typeName = ggmlTypeName(type)!;
  const [blck, bytes] = GGML_TYPE_SIZES[typeName];
  if (nPerRow % blck !== 0) throw invalid(`nPerRow ${nPerRow} is not a multiple of the ${typeName} block size ${blck}`);
  if (nrows * nPerRow > src.length) throw invalid(`src has ${src.length} floats, ${nrows} rows of ${nPerRow} need ${nrows * nPerRow}`);
  if (imatrix !== undefined && (!(imatrix instanceof Float32Array) || imatrix.length < nPerRow)) {
    throw invalid(`imatrix must be a Float32Array of at least nPerRow = ${nPerRow} floats`);
  }
  return (nPerRow / blck) * bytes;
}

function cancelled(name: string): CortexError {
  return new CortexError("JOB_CANCELLED", `quantization of ${name} was cancelled`);
}

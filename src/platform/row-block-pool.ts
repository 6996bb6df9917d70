/**
 * Worker threads that process a matrix in blocks of whole rows, off the event loop. The quantizers (ggml's row
 * quantization, MLX's affine quantization) share it: a call is cut into blocks, blocks are handed to idle workers
 * first and then a second one each (so a worker never waits on this thread between blocks), a failure or abort
 * ends the call and drops its queued blocks, and a worker that dies fails the calls it was working for.
 *
 * The worker protocol: each message carries an `id`; each answer is `{ id, ok: true, … }` or
 * `{ id, ok: false, code, message }` (code: a cortexd error code; anything else becomes `failCode`).
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { CortexError } from "../errors/cortex-error.js";
import { isErrorCode, type ErrorCode } from "../errors/codes.js";

/** A worker's answer to one block. */
export type BlockAnswer<A extends object = object> = ({ id: number; ok: true } & A) | { id: number; ok: false; code: string; message: string };

export interface RowBlockPoolOptions {
  /** Worker threads. @default max(1, availableParallelism − 1) */
  threads?: number;
  /** Largest block, in elements (bounds the extra memory of the copies in flight). @default 4,194,304 */
  maxBlockElements?: number;
}

/** One call, as the pool sees it: how to cut it, what to send for a block, what to do with its answer. */
export interface RowBlockCall<R, A extends object> {
  readonly rows: number;
  readonly cols: number;
  /** What the call resolves with once every block answered. */
  readonly result: R;
  readonly signal?: AbortSignal | undefined;
  /** The error an abort rejects with. */
  cancelled(): CortexError;
  /** The message for rows [rowStart, rowEnd) (its `id` is set by the pool) and the buffers to transfer with it. */
  message(rowStart: number, rowEnd: number): { message: object; transfer: ArrayBuffer[] };
  /** A block's successful answer (copy what it carries into `result`). */
  accept?(answer: { id: number; ok: true } & A, rowStart: number): void;
  /** Prefix of a worker's error message (the tensor's name). */
  readonly label?: string;
}

interface Job {
  call: RowBlockCall<unknown, object>;
  remaining: number;
  done: boolean;
  cleanup?: () => void;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

interface Block {
  id: number;
  job: Job;
  rowStart: number;
  rowEnd: number;
}

interface Slot {
  worker: Worker;
  /** Blocks sent and not answered yet, by id. */
  blocks: Map<number, Block>;
}

/** Blocks a worker may hold at once (one running, one waiting in its message queue). */
const BLOCKS_PER_WORKER = 2;

export class RowBlockPool {
  readonly threads: number;
  private readonly maxBlockElements: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Block[] = [];
  private nextId = 1;
  private closedFlag = false;
  /** Unsettled calls: while any exists every worker is ref'd, so the process waits for them; idle, none holds it. */
  private active = 0;

  /**
   * @param what the pool's name in messages ("quantize pool")
   * @param failCode the code of a worker's death, a closed pool, or an answer with an unknown code
   * @throws CortexError REQ_INVALID_ARGUMENT for a thread count or block size that is not a positive integer
   */
  constructor(
    private readonly what: string,
    private readonly workerUrl: URL,
    private readonly failCode: ErrorCode,
    options: RowBlockPoolOptions = {},
  ) {
    const threads = options.threads ?? Math.max(1, os.availableParallelism() - 1);
    const maxBlockElements = options.maxBlockElements ?? 1 << 22;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `${what}: threads must be an integer in [1, 256], got ${threads}`);
    }
    if (!Number.isInteger(maxBlockElements) || maxBlockElements < 1) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `${what}: maxBlockElements must be a positive integer, got ${maxBlockElements}`);
    }
    this.threads = threads;
    this.maxBlockElements = maxBlockElements;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The error of a call made after close(). */
  closedError(): CortexError {
    return new CortexError(this.failCode, `${this.what} is closed`);
  }

  /** Start every worker now (they load their code while the caller prepares the first call). */
  warmUp(): void {
    while (!this.closedFlag && this.slots.length < this.threads) this.spawn();
    this.updateRefs();
  }

  /**
   * Runs `call` in blocks of whole rows (about one per thread, at most maxBlockElements elements each). The
   * caller has validated its arguments; an already aborted signal rejects with `call.cancelled()` at once.
   */
  run<R, A extends object>(call: RowBlockCall<R, A>): Promise<R> {
    if (this.closedFlag) return Promise.reject(this.closedError());
    if (call.signal?.aborted) return Promise.reject(call.cancelled());
    if (call.rows === 0) return Promise.resolve(call.result);
    const rowsPerBlock = Math.max(1, Math.min(Math.ceil(call.rows / this.threads), Math.floor(this.maxBlockElements / call.cols)));
    return new Promise<R>((resolve, reject) => {
      this.active++;
      this.updateRefs();
      const settle = () => {
        this.active--;
        this.updateRefs();
      };
      const job: Job = {
        call: call as unknown as RowBlockCall<unknown, object>,
        remaining: 0,
        done: false,
        resolve: (r) => {
          settle();
          resolve(r as R);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      for (let start = 0; start < call.rows; start += rowsPerBlock) {
        job.remaining++;
        // Messages (and the copies they hold) are made at dispatch time, so only the blocks in flight hold memory.
        this.queue.push({ id: this.nextId++, job, rowStart: start, rowEnd: Math.min(call.rows, start + rowsPerBlock) });
      }
      if (call.signal) {
        const signal = call.signal;
        const onAbort = () => this.fail(job, call.cancelled());
        signal.addEventListener("abort", onAbort, { once: true });
        job.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      this.dispatch();
    });
  }

  /** Stop the workers; pending and later calls reject with `failCode`. */
  async close(): Promise<void> {
    this.closedFlag = true;
    const err = new CortexError(this.failCode, `${this.what} closed`);
    for (const b of this.queue.splice(0)) this.fail(b.job, err);
    const slots = this.slots.splice(0);
    for (const s of slots) for (const b of s.blocks.values()) this.fail(b.job, err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closedFlag) {
      let slot = this.slots.find((s) => s.blocks.size === 0);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      slot ??= this.slots.find((s) => s.blocks.size < BLOCKS_PER_WORKER);
      if (!slot) return;
      const block = this.queue.shift()!;
      if (block.job.done) continue;
      slot.blocks.set(block.id, block);
      const { message, transfer } = block.job.call.message(block.rowStart, block.rowEnd);
      slot.worker.postMessage({ ...message, id: block.id }, transfer);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl);
    const slot: Slot = { worker, blocks: new Map() };
    worker.on("message", (msg: BlockAnswer) => this.onAnswer(slot, msg));
    worker.on("error", (err) => this.onWorkerGone(slot, `worker crashed: ${err.message}`));
    worker.on("exit", (code) => this.onWorkerGone(slot, `worker exited with code ${code}`));
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

  private onAnswer(slot: Slot, msg: BlockAnswer): void {
    const block = slot.blocks.get(msg.id);
    slot.blocks.delete(msg.id);
    if (block && !block.job.done) {
      const job = block.job;
      if (msg.ok) {
        job.call.accept?.(msg, block.rowStart);
        if (--job.remaining === 0) {
          job.done = true;
          job.cleanup?.();
          job.resolve(job.call.result);
        }
      } else {
        this.fail(job, new CortexError(isErrorCode(msg.code) ? msg.code : this.failCode, this.labelled(job, msg.message)));
      }
    }
    this.dispatch();
  }

  private onWorkerGone(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already removed (close, or error followed by exit)
    this.slots.splice(i, 1);
    for (const b of slot.blocks.values()) this.fail(b.job, new CortexError(this.failCode, this.labelled(b.job, `${this.what}: ${reason}`)));
    slot.blocks.clear();
    this.dispatch();
  }

  private labelled(job: Job, message: string): string {
    return job.call.label === undefined ? message : `${job.call.label}: ${message}`;
  }

  private fail(job: Job, err: unknown): void {
    if (job.done) return;
    job.done = true;
    job.cleanup?.();
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.job === job) this.queue.splice(i, 1);
    job.reject(err);
  }
}

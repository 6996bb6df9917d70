/**
 * Runs ggml_quantize_chunk off the event loop on the worker threads of a RowBlockPool, each of which loads llama.cpp's libraries
 * once. A tensor is cut into blocks of whole rows; ggml quantizes every row on its own, so the concatenated
 * blocks are byte-identical to one call over all rows. Input rows are copied and transferred to a worker
 * (or passed as a view when they live in a SharedArrayBuffer); quantized bytes are transferred back.
 */
import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE_SIZES, ggmlTypeName } from "../formats/gguf/ggml-types.js";
import { CHUNK_TYPE_IDS, CHUNK_TYPES } from "./ggml-native-types.js";
import { RowBlockPool, type BlockAnswer } from "../platform/row-block-pool.js";

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
export type RowsTaskResult = BlockAnswer<{ dst: Uint8Array }>;

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

const WORKER_URL = new URL("./quantize-rows-worker.js", import.meta.url);

/** A pool of row-quantization workers. Workers start on first use; `close()` stops them. */
export class QuantizeRowsPool {
  private constructor(
    private readonly pool: RowBlockPool,
    private readonly libDir: string | undefined,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  /** @throws CortexError REQ_INVALID_ARGUMENT for a thread count or block size that is not a positive integer */
  static create(options: QuantizeRowsPoolOptions = {}): QuantizeRowsPool {
    return new QuantizeRowsPool(new RowBlockPool("quantize rows pool", WORKER_URL, "QUANT_FAILED", options), options.libDir);
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
      if (this.pool.closed) throw this.pool.closedError();
      rowSize = checkRowsArgs(type, src, nrows, nPerRow, options.imatrix, name);
    } catch (err) {
      return Promise.reject(err);
    }
    const out = new Uint8Array(nrows * rowSize);
    const shared = typeof SharedArrayBuffer !== "undefined" && src.buffer instanceof SharedArrayBuffer;
    const { imatrix } = options;
    const libDir = this.libDir;
    return this.pool.run<Uint8Array, { dst: Uint8Array }>({
      rows: nrows,
      cols: nPerRow,
      result: out,
      signal: options.signal,
      label: name,
      cancelled: () => cancelled(name),
      message(rowStart, rowEnd) {
        // A view of shared rows, else a copy of them transferred to the worker.
        const view = src.subarray(rowStart * nPerRow, rowEnd * nPerRow);
        const rows = shared ? view : view.slice();
        const task: Omit<RowsTask, "id"> = { type, src: rows, nrows: rowEnd - rowStart, nPerRow, imatrix, libDir };
        return { message: task, transfer: shared ? [] : [rows.buffer as ArrayBuffer] };
      },
      accept: (answer, rowStart) => out.set(answer.dst, rowStart * rowSize),
    });
  }

  /** Stop the workers; pending and later calls reject with QUANT_FAILED. */
  close(): Promise<void> {
    return this.pool.close();
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

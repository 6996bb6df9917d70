/**
 * GGUF → GGUF quantization of a whole file with llama.cpp's own `llama_model_quantize` (the code behind
 * llama-quantize, from node-llama-cpp's prebuilt libraries), off the caller's event loop, cancellable, and
 * atomic: the output is written to `<out>.tmp-<pid>-<n>` and renamed onto `out` only when complete.
 *
 * Isolation: "process" (default) forks a Node child; cancelling kills it at once, and a GGML_ASSERT abort on
 * a bad file only ends the child. "thread" uses a worker thread; it is lighter, but a native call cannot be
 * interrupted, so a cancelled thread keeps quantizing until llama_model_quantize returns (the promise
 * settles only then, after the partial output is removed), and an abort takes the whole process down.
 */
import { fork, type ChildProcess } from "node:child_process";
import { rename, rm, stat, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { CortexError, toCortexError } from "../errors/cortex-error.js";
import { isErrorCode } from "../errors/codes.js";
import { LLAMA_FTYPE } from "../formats/gguf/ggml-types.js";
import { readGgufHeader } from "../formats/gguf/read-gguf-header.js";
import { GGUF_QUANT_TYPES, type GgufQuantType } from "../formats/quantization-names.js";
import { PARENT_PID_ENV } from "../platform/die-with-parent.js";
import { sweepStaleTemps } from "../store/sweep-stale-temps.js";
import { GGML_LOG_LEVEL, type LlamaQuantizeParams, type NativeVersionInfo } from "./ggml-native-types.js";
import type { RunnerMessage, RunnerRequest } from "./llama-quantize-runner.js";

/** llama-quantize type name → `llama_ftype`. */
export const QUANT_TYPE_FTYPES: Readonly<Record<GgufQuantType, number>> = {
  Q8_0: LLAMA_FTYPE.MOSTLY_Q8_0,
  Q6_K: LLAMA_FTYPE.MOSTLY_Q6_K,
  Q5_K_M: LLAMA_FTYPE.MOSTLY_Q5_K_M,
  Q5_K_S: LLAMA_FTYPE.MOSTLY_Q5_K_S,
  Q4_K_M: LLAMA_FTYPE.MOSTLY_Q4_K_M,
  Q4_K_S: LLAMA_FTYPE.MOSTLY_Q4_K_S,
  Q4_0: LLAMA_FTYPE.MOSTLY_Q4_0,
  Q4_1: LLAMA_FTYPE.MOSTLY_Q4_1,
  Q5_0: LLAMA_FTYPE.MOSTLY_Q5_0,
  Q5_1: LLAMA_FTYPE.MOSTLY_Q5_1,
  Q3_K_M: LLAMA_FTYPE.MOSTLY_Q3_K_M,
  Q2_K: LLAMA_FTYPE.MOSTLY_Q2_K,
  F16: LLAMA_FTYPE.MOSTLY_F16,
  BF16: LLAMA_FTYPE.MOSTLY_BF16,
};

/**
 * The `llama_ftype` for a type name (case-insensitive, as llama-quantize spells them).
 * @throws CortexError QUANT_UNSUPPORTED_TYPE naming the type and the supported list
 */
export function ftypeForQuantType(type: string): number {
  const t = String(type).trim().toUpperCase();
  if (!Object.prototype.hasOwnProperty.call(QUANT_TYPE_FTYPES, t)) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `unsupported GGUF quantization type "${type}" (supported: ${GGUF_QUANT_TYPES.join(", ")})`);
  }
  return QUANT_TYPE_FTYPES[t as GgufQuantType];
}

/** Progress of one file. */
export interface QuantizeFileProgress {
  /** Tensors written so far, of all tensors in the input. */
  readonly tensorsDone: number;
  readonly tensorsTotal: number;
  /** Elements of the tensors written so far (weights progress by size, not by count). */
  readonly elementsDone: number;
  readonly elementsTotal: number;
  /** Size of the partial output, sampled. */
  readonly bytesWritten: number;
  /** elementsDone / elementsTotal, 0–1. */
  readonly fraction: number;
  /** The tensor just written. */
  readonly tensor?: string;
}

export interface LlamaQuantizeFileOptions {
  /**
   * Moves the finished temp file onto the output (a job's no-overwrite publish); may answer another path where the
   * same bytes already are (a job's own earlier output), which becomes the result's outPath. @default rename
   */
  publish?: (tmp: string, outPath: string) => Promise<string | void>;
  /** Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q4_1, Q5_0, Q5_1, Q3_K_M, Q2_K, F16 or BF16. */
  type: string;
  /** Quantization threads. @default os.availableParallelism() */
  threads?: number;
  /** Requantize tensors that are already quantized. @default false */
  allowRequantize?: boolean;
  /** Leave output.weight unquantized (`--leave-output-tensor`). @default false */
  leaveOutputTensor?: boolean;
  /** No mixture rules: every tensor to the type's default (`--pure`). @default false */
  pure?: boolean;
  /** Cancels: the runner is stopped and the partial output removed; rejects with JOB_CANCELLED. */
  signal?: AbortSignal;
  /** Called for each tensor written and each change of the sampled output size; exceptions are ignored. */
  onProgress?: (p: QuantizeFileProgress) => void;
  /** How often the partial output's size is sampled, in ms (≥ 10). @default 500 */
  progressIntervalMs?: number;
  /** @default "process" */
  isolation?: "process" | "thread";
  /** Load the libraries from here instead of node-llama-cpp's prebuilt package. */
  libDir?: string;
}

export interface LlamaQuantizeFileResult {
  readonly outPath: string;
  readonly type: GgufQuantType;
  readonly ftype: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** llama.cpp's warnings (shape fallbacks and the like). */
  readonly warnings: readonly string[];
  /** The library build that wrote the file, for the provenance manifest. */
  readonly native: NativeVersionInfo;
}

const RUNNER = fileURLToPath(new URL("./llama-quantize-runner.js", import.meta.url));
let tmpSeq = 0;

/**
 * Quantize `inPath` (a GGUF, validated first) into `outPath` like `llama-quantize in out TYPE threads`.
 * @throws CortexError QUANT_UNSUPPORTED_TYPE, REQ_INVALID_ARGUMENT (missing input, same path, missing output
 *   directory, bad thread count), FMT_* (input not a valid GGUF), JOB_CANCELLED, QUANT_FAILED (llama.cpp's reason, or
 *   how the runner died)
 */
export async function llamaQuantizeFile(inPath: string, outPath: string, options: LlamaQuantizeFileOptions): Promise<LlamaQuantizeFileResult> {
  const started = Date.now();
  const type = String(options.type).trim().toUpperCase() as GgufQuantType;
  const ftype = ftypeForQuantType(options.type);
  const threads = options.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `threads must be an integer in [1, 1024], got ${String(threads)}`);
  }
  const interval = options.progressIntervalMs ?? 500;
  if (!Number.isFinite(interval) || interval < 10) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `progressIntervalMs must be a number ≥ 10, got ${String(interval)}`);
  }
  const src = path.resolve(inPath);
  const dst = path.resolve(outPath);
  if (src === dst) throw new CortexError("REQ_INVALID_ARGUMENT", `output ${outPath} is the input file`);
  const input = await stat(src).catch(() => undefined);
  if (!input?.isFile()) throw new CortexError("REQ_INVALID_ARGUMENT", `input ${inPath} does not exist or is not a file`);
  const dir = await stat(path.dirname(dst)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new CortexError("REQ_INVALID_ARGUMENT", `output directory ${path.dirname(dst)} does not exist`);
  if (options.signal?.aborted) throw cancelled(inPath);
  // Validating first turns most malformed files into FMT_INVALID instead of a GGML_ASSERT in the runner.
  const header = await readGgufHeader(src);
  const numel = new Map(header.tensors.map((t) => [t.name, t.numel]));
  const elementsTotal = header.tensors.reduce((a, t) => a + t.numel, 0);

  // What a killed earlier attempt left behind (its process is gone) is removed before this one writes.
  sweepStaleTemps([path.dirname(dst)], { prefix: `${path.basename(dst)}.tmp-`, maxDepth: 0 });
  const tmp = `${dst}.tmp-${process.pid}-${++tmpSeq}`;
  const params: Partial<LlamaQuantizeParams> = {
    ftype,
    nthread: threads,
    allowRequantize: options.allowRequantize ?? false,
    quantizeOutputTensor: !(options.leaveOutputTensor ?? false),
    pure: options.pure ?? false,
  };
  const request: RunnerRequest = { inPath: src, outPath: tmp, params, libDir: options.libDir };

  let tensorsDone = 0;
  let elementsDone = 0;
  let bytesWritten = 0;
  let lastTensor: string | undefined;
  const report = () => {
    if (!options.onProgress) return;
    try {
      options.onProgress({
        tensorsDone,
        tensorsTotal: header.tensors.length,
        elementsDone,
        elementsTotal,
        bytesWritten,
        fraction: elementsTotal > 0 ? Math.min(1, elementsDone / elementsTotal) : 1,
        ...(lastTensor === undefined ? {} : { tensor: lastTensor }),
      });
    } catch {
      // A failing progress sink must not kill the quantization (this runs inside child-process events).
    }
  };
  const warnings: string[] = [];
  const errors: string[] = [];
  const onMessage = (m: RunnerMessage) => {
    if (m.kind === "tensor") {
      tensorsDone = Math.max(tensorsDone, m.index);
      elementsDone += numel.get(m.name) ?? 0;
      lastTensor = m.name;
      report();
    } else if (m.kind === "log") {
      (m.level === GGML_LOG_LEVEL.ERROR ? errors : warnings).push(m.text);
    }
  };

  let finished = false;
  const sampler = setInterval(() => {
    stat(tmp).then(
      (s) => {
        // A stat still in flight when the run ends must not report after the final report.
        if (!finished && s.size !== bytesWritten) {
          bytesWritten = s.size;
          report();
        }
      },
      () => undefined,
    );
  }, interval);

  try {
    const final = await runIsolated(options.isolation ?? "process", request, onMessage, options.signal, inPath);
    if (final.kind === "error") {
      // llama.cpp reports a failed write as "basic_ios::clear: iostream error": say what it was.
      const free = await freeBytes(path.dirname(dst));
      if (free !== undefined && (free < NO_SPACE_MARGIN || /no space/i.test(final.message))) {
        throw new CortexError("IO_NO_SPACE", `quantizing ${inPath} into ${outPath}: no space left on device (${(free / 2 ** 20).toFixed(1)} MiB free in ${path.dirname(dst)})`, { details: { errors } });
      }
      throw new CortexError(isErrorCode(final.code) ? final.code : "QUANT_FAILED", final.message, { details: { errors } });
    }
    finished = true;
    const at = (await (options.publish ?? rename)(tmp, dst)) ?? dst;
    const bytes = (await stat(at)).size;
    bytesWritten = bytes;
    elementsDone = elementsTotal;
    tensorsDone = header.tensors.length;
    report();
    return { outPath: at, type, ftype, bytes, elapsedMs: Date.now() - started, warnings, native: final.version };
  } catch (err) {
    throw toCortexError(err);
  } finally {
    finished = true;
    clearInterval(sampler);
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

type Final = Extract<RunnerMessage, { kind: "done" | "error" }>;

/** Below this much free space after a failed write, the failure was the full disk (writes go in tensor-sized chunks). */
const NO_SPACE_MARGIN = 1 << 20;

async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Run the request in a child process or worker thread; resolves with its final message once it has exited. */
function runIsolated(isolation: "process" | "thread", req: RunnerRequest, onMessage: (m: RunnerMessage) => void, signal: AbortSignal | undefined, label: string): Promise<Final> {
  if (isolation !== "process" && isolation !== "thread") {
    return Promise.reject(new CortexError("REQ_INVALID_ARGUMENT", `isolation must be "process" or "thread", got ${String(isolation)}`));
  }
  return new Promise<Final>((resolve, reject) => {
    let final: Final | undefined;
    let aborted = false;
    let stderrTail = "";
    let child: ChildProcess | undefined;
    let worker: Worker | undefined;
    const handle = (m: RunnerMessage) => {
      if (m.kind === "done" || m.kind === "error") final = m;
      else onMessage(m);
    };
    const onAbort = () => {
      aborted = true;
      child?.kill("SIGKILL");
      void worker?.terminate();
    };
    const onExit = (how: string) => {
      signal?.removeEventListener("abort", onAbort);
      if (aborted) reject(cancelled(label));
      else if (final) resolve(final);
      else {
        const tail = stderrTail.trim().split("\n").slice(-5).join(" | ");
        reject(new CortexError("QUANT_FAILED", `quantizing ${label}: the quantizer ${how}${tail ? `: ${tail}` : ""}`));
      }
    };
    if (isolation === "process") {
      // execArgv: [] so test-runner or inspector flags of this process are not inherited.
      child = fork(RUNNER, [], { execArgv: [], env: { ...process.env, [PARENT_PID_ENV]: String(process.pid) }, stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (d: string) => {
        stderrTail = (stderrTail + d).slice(-4096);
      });
      child.on("message", (m: RunnerMessage) => handle(m));
      child.on("error", (err) => {
        if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        stderrTail += `\n${err.message}`;
      });
      child.on("exit", (code, sig) => onExit(sig ? `process was killed by ${sig}` : `process exited with code ${code}`));
      child.send(req);
    } else {
      worker = new Worker(RUNNER);
      worker.on("message", (m: RunnerMessage) => handle(m));
      worker.on("error", (err) => {
        stderrTail += `\n${err.message}`;
      });
      worker.on("exit", (code) => onExit(`thread exited with code ${code}`));
      worker.postMessage(req);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
}

function cancelled(label: string): CortexError {
  return new CortexError("JOB_CANCELLED", `quantization of ${label} was cancelled`);
}

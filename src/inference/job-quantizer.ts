import fs from "node:fs/promises";
import path from "node:path";
import type { HomePaths } from "../config/paths.js";
import { mlxGgufAuto } from "../convert/convert-mlx-to-gguf.js";
import { CortexError } from "../errors/cortex-error.js";
import { isErrorCode } from "../errors/codes.js";
import { parseSnapshotPath } from "../hub/hf-cache-layout.js";
import type { JobManager } from "../jobs/job-manager.js";
import { parseOuttype, parseQuantType } from "../formats/quantization-names.js";
import type { JobMessage } from "../jobs/job-view.js";
import { checkpointStem, ggufOutputFile, modelStem } from "../jobs/output-names.js";
import type { Quantizer, VariantType } from "./quant-fallback.js";

/** How a conversion job names a checkpoint: `org/name@commit` in the HF cache (outputs named after the repo), else its path. */
function checkpointSource(dir: string): { source: string; stem: string } {
  const snap = parseSnapshotPath(dir);
  if (snap) return { source: `${snap.repo}@${snap.commit}`, stem: checkpointStem({ repo: snap.repo, path: dir }) };
  return { source: dir, stem: checkpointStem({ path: dir }) };
}

/** Newest modification of a model: the file, or a checkpoint's config and weights. */
async function sourceMtime(source: string): Promise<number> {
  const st = await fs.stat(source);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const n of await fs.readdir(source)) {
    if (n === "config.json" || n.endsWith(".safetensors")) newest = Math.max(newest, (await fs.stat(path.join(source, n))).mtimeMs);
  }
  return newest;
}

/**
 * The pool's Quantizer backed by the job system: a GGUF goes through a "quantize" job, a SafeTensors checkpoint
 * through one "convert" job (safetensors → the type in one pass), an MLX-quantized model through one "convert" job
 * with outtype auto (the bit-exact bridge). Outputs land where the jobs put them
 * (quantized_models/<stem>-<TYPE>.gguf, a checkpoint's F16 in models/), so variants made by `cortex quantize` or
 * `cortex convert` are reused and the pool's are listed by the store like any other model.
 */
export class JobQuantizer implements Quantizer {
  /** Requests of this daemon share one wait; the job's dedupe key covers other submitters. */
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly jobs: Pick<JobManager, "submit" | "get" | "watch">, private readonly paths: Pick<HomePaths, "models" | "quantizedModels">) {}

  /** Where the job for `source` → `type` writes its output (an MLX model's: named by the type `auto` gives it). */
  async outputPath(source: string, type: VariantType, isCheckpoint: boolean): Promise<string> {
    const stem = isCheckpoint ? checkpointSource(source).stem : modelStem(source);
    const label = type === "MLX" ? (await mlxGgufAuto(source))?.label : type;
    if (!label) throw new CortexError("FMT_UNSUPPORTED", `${source} is not an MLX-quantized model`);
    return path.join(isCheckpoint && type === "F16" ? this.paths.models : this.paths.quantizedModels, ggufOutputFile(stem, label));
  }

  async existing(source: string, type: VariantType): Promise<string | undefined> {
    const isCheckpoint = (await fs.stat(source)).isDirectory();
    const out = await this.outputPath(source, type, isCheckpoint);
    const st = await fs.stat(out).catch(() => undefined);
    // A variant older than its source was made from other weights.
    if (!st?.isFile() || st.mtimeMs < (await sourceMtime(source))) return undefined;
    return fs.realpath(out);
  }

  quantize(source: string, type: VariantType, signal: AbortSignal): Promise<string> {
    const key = `${source}\0${type}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.run(source, type).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return abortable(p, signal, `waiting for the ${type} variant of ${source} was cancelled (its job goes on)`);
  }

  private async run(source: string, type: VariantType): Promise<string> {
    const isCheckpoint = (await fs.stat(source)).isDirectory();
    // The same data (and dedupe key) as ConvertModel / QuantizeModel: a user's identical job is joined.
    const kind = isCheckpoint ? "convert" : "quantize";
    const data = isCheckpoint
      ? (() => {
          const { source: src } = checkpointSource(source);
          return { model: src, source: src, target: "gguf", outtype: parseOuttype(type === "MLX" ? "auto" : type), outputName: "", keepIntermediate: false };
        })()
      : { model: source, target: "gguf", type: parseQuantType("type", type), outputName: "", threads: 0 };
    const submitted = await this.jobs.submit(kind, data, { dedupeKey: `${kind}@${JSON.stringify(data)}`, attempts: 2 });
    const job = await this.waitFinal(submitted.job);
    const what = `making the ${type} variant of ${source} (${kind} job ${job.id})`;
    if (job.state === "JOB_STATE_COMPLETED") {
      const out = (JSON.parse(job.result_json || "{}") as { path?: string }).path;
      if (!out) throw new CortexError("INTERNAL", `${what}: the job reported no output path`);
      return out;
    }
    if (job.state === "JOB_STATE_CANCELLED") throw new CortexError("JOB_CANCELLED", `${what} was cancelled`);
    const code = isErrorCode(job.error_code) ? job.error_code : isCheckpoint ? "CONV_FAILED" : "QUANT_FAILED";
    throw new CortexError(code, `${what} failed: ${job.error_message || job.error_code || "unknown error"}`);
  }

  /** JobManager.watch ends on a final state; it polls as a fallback, so a missed event costs seconds, not a hang. */
  private async waitFinal(job: JobMessage): Promise<JobMessage> {
    let last = job;
    for await (const j of this.jobs.watch(job.id, new AbortController().signal)) last = j;
    return last;
  }
}

/** `p`, or the signal's cancellation, whichever comes first (the work behind `p` is shared and goes on). */
function abortable<T>(p: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new CortexError("JOB_CANCELLED", message));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CortexError("JOB_CANCELLED", message));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

import type { GenerationInput, GenerationResult, SamplingSpec } from "../inference/engine/engine-types.js";
import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import type { LoadOptions } from "../inference/scheduler/prepare-load.js";
import type { RequestMeter } from "./request-meter.js";

/** A finished generation as the HTTP dialects report it. */
export interface GenerationRun {
  result: GenerationResult;
  /** Milliseconds the request waited for its model to load (0 when resident). */
  loadMs: number;
  /** Milliseconds from the request to its lease (queueing + load). */
  queueMs: number;
  totalMs: number;
}

/**
 * One generation on the pool, as every HTTP route runs it: take a lease (just-in-time load, queueing), stream
 * the text into `write`, give the lease back with the result. `write` may return a promise (the socket is full):
 * text generated meanwhile is joined into the next write, so a slow reader gets fewer, larger pieces and nothing
 * is buffered per token. `client.signal` (the client went away) cancels the wait or the generation within one
 * token; `client.meter` records the request's tokens and first-text time.
 */
export async function runGeneration(
  pool: InferencePool,
  model: string,
  input: GenerationInput,
  sampling: SamplingSpec,
  load: LoadOptions,
  client: { signal: AbortSignal; meter?: RequestMeter | undefined },
  write: (text: string) => void | Promise<void>,
): Promise<GenerationRun> {
  const { signal, meter } = client;
  const t0 = performance.now();
  const lease = await pool.acquire(model, load, signal);
  const queueMs = performance.now() - t0;
  let pending = "";
  let writing: Promise<void> | undefined;
  let failed: unknown;
  const flush = (): void => {
    const text = pending;
    pending = "";
    const r = write(text);
    if (!r) return;
    writing = r.then(
      () => {
        writing = undefined;
        if (pending !== "") flush();
      },
      (err: unknown) => {
        failed = err;
        writing = undefined;
      },
    );
  };
  let result: GenerationResult | undefined;
  try {
    result = await lease.runner.generate(input, sampling, (text) => {
      if (text === "" || failed) return;
      meter?.firstText();
      pending += text;
      if (!writing) flush();
    }, AbortSignal.any([signal, lease.signal]));
  } finally {
    lease.release(result);
  }
  while (writing) await writing;
  if (failed) throw failed;
  if (lease.signal.aborted && !signal.aborted) throw lease.signal.reason;
  meter?.done({ promptTokens: result.promptTokens, generatedTokens: result.generatedTokens });
  return { result, loadMs: lease.loadMs, queueMs, totalMs: performance.now() - t0 };
}

/** Embeddings on the pool, as every HTTP route runs them: a lease, the runner's vectors, the request measured. */
export async function runEmbed(
  pool: InferencePool,
  model: string,
  inputs: string[],
  load: LoadOptions,
  client: { signal: AbortSignal; meter?: RequestMeter | undefined },
): Promise<{ vectors: Float32Array[]; promptTokens: number; loadMs: number }> {
  const lease = await pool.acquire(model, load, client.signal);
  try {
    const r = await lease.runner.embed(inputs);
    client.meter?.done({ promptTokens: r.promptTokens });
    return { ...r, loadMs: lease.loadMs };
  } finally {
    lease.release();
  }
}

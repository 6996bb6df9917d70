import { CortexError } from "../../src/errors/cortex-error.js";
import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "../../src/inference/engine/engine-types.js";
import type { ModelFileInfo } from "../../src/inference/inspect-model-file.js";
import type { ModelRunner } from "../../src/inference/runner/model-runner.js";
import { InferencePool, type PoolOptions } from "../../src/inference/scheduler/inference-pool.js";
import { createLogger } from "../../src/log/logger.js";

export const MiB = 1024 * 1024;
const CPU: DeviceInfo = { gpu: false, vramTotalBytes: 0, vramFreeBytes: 0, unifiedMemoryBytes: 0, cpuMathCores: 2 };

/** A scripted runner: loads take `loadMs`, each token `tokenMs`; it records what happened to it. */
export class FakeRunner implements ModelRunner {
  static nextPid = 1000;
  readonly pid = FakeRunner.nextPid++;
  readonly device = CPU;
  spec: LoadSpec | undefined;
  closed = false;
  crashListeners: ((e: CortexError) => void)[] = [];
  pendingRejects = new Set<(e: CortexError) => void>();

  constructor(private readonly world: FakeWorld) {}

  async load(spec: LoadSpec): Promise<LoadResult> {
    this.world.loads.push(spec.path);
    await sleep(this.world.loadMs);
    if (this.world.failLoad.has(spec.path)) throw new CortexError("INF_LOAD_FAILED", `${spec.path}: llama.cpp crashed while loading the model`);
    this.spec = spec;
    return { contextSize: spec.contextSize, gpuLayers: 0, parallel: spec.parallel, loadMs: this.world.loadMs, memoryBytes: this.world.measured.get(spec.path) ?? 0, vramBytes: 0, processRssBytes: 50 * MiB, trainContextSize: 2048, embeddingSize: 8 };
  }

  generate(_input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult> {
    return new Promise((resolve, reject) => {
      this.pendingRejects.add(reject);
      let n = 0;
      const t0 = Date.now();
      const tick = () => {
        if (this.closed) return;
        if (signal.aborted || n >= (sampling.maxTokens || 10)) {
          this.pendingRejects.delete(reject);
          resolve({ promptTokens: 3, generatedTokens: n, firstTokenMs: 1, tokensPerSecond: 100, totalMs: Date.now() - t0, finishReason: signal.aborted ? "cancelled" : "length" });
          return;
        }
        n++;
        sink(this.world.pieceText(n), 1);
        if (this.world.tokenMs > 0) setTimeout(tick, this.world.tokenMs);
        else setImmediate(tick);
      };
      tick();
    });
  }

  async embed(inputs: string[]): Promise<EmbedResult> {
    return { vectors: inputs.map(() => new Float32Array(8)), promptTokens: inputs.length };
  }

  async memory(): Promise<MemorySample> {
    return { memoryBytes: this.spec ? (this.world.measured.get(this.spec.path) ?? 0) : 0, vramBytes: 0, processRssBytes: 50 * MiB };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.pendingRejects) r(new CortexError("DAEMON_UNAVAILABLE", `inference runner (pid ${this.pid}) was stopped`));
    this.world.closed.push(this.spec?.path ?? "(spare)");
  }

  onCrash(listener: (err: CortexError) => void): void {
    this.crashListeners.push(listener);
  }

  /** Simulates the runner process dying. */
  crash(): void {
    const err = new CortexError("INF_RUNNER_CRASHED", `inference runner (pid ${this.pid}) died: signal SIGKILL`);
    this.closed = true;
    for (const r of this.pendingRejects) r(err);
    for (const l of this.crashListeners) l(err);
  }
}

/** The fake world a pool runs in: model sizes, timings, and a record of loads and unloads. */
export class FakeWorld {
  loadMs = 20;
  tokenMs = 5;
  /** Text of each generated token (a long one makes HTTP/2 flow control bite quickly). */
  pieceText = (n: number) => `t${n} `;
  readonly estimates = new Map<string, number>();
  readonly measured = new Map<string, number>();
  readonly failLoad = new Set<string>();
  readonly loads: string[] = [];
  readonly closed: string[] = [];
  readonly runners: FakeRunner[] = [];

  model(name: string, estimateMiB: number, measuredMiB = estimateMiB): string {
    this.estimates.set(name, estimateMiB * MiB);
    this.measured.set(name, measuredMiB * MiB);
    return name;
  }

  runnerFor(name: string): FakeRunner | undefined {
    return this.runners.find((r) => r.spec?.path === name && !r.closed);
  }

  pool(opts: Partial<PoolOptions> = {}): InferencePool {
    return new InferencePool({
      runners: async () => {
        const r = new FakeRunner(this);
        this.runners.push(r);
        return r;
      },
      resolve: (m) => {
        if (!this.estimates.has(m)) throw new CortexError("REG_NOT_FOUND", `model "${m}" not found`);
        return m;
      },
      inspect: async (p): Promise<ModelFileInfo> => ({ path: p, sizeBytes: 1, mtimeMs: 1, architecture: "llama", trainContextSize: 2048, blockCount: 2, weightType: "F16" }),
      estimate: async (input) => {
        const total = this.estimates.get(input.path)!;
        return { totalBytes: total, weightsBytes: total * 0.75, contextBytes: total * 0.25, vramBytes: 0 };
      },
      keepAliveSeconds: 300,
      maxLoadedModels: 0,
      maxQueuedRequests: 64,
      memoryReserveBytes: 0,
      memoryBudgetBytes: 1000 * MiB,
      threads: 1,
      defaultParallel: 1,
      logger: createLogger("silent"),
      ...opts,
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `cond` holds (or fails the test after `ms`). */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 3000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Runs a generation on a lease to completion. */
export async function generateOn(pool: InferencePool, model: string, tokens: number, opts: { ttlSeconds?: number; pin?: boolean; signal?: AbortSignal } = {}): Promise<GenerationResult> {
  const lease = await pool.acquire(model, { ...(opts.ttlSeconds === undefined ? {} : { ttlSeconds: opts.ttlSeconds }), ...(opts.pin ? { pin: true } : {}) }, opts.signal);
  let result: GenerationResult | undefined;
  try {
    result = await lease.runner.generate({ kind: "completion", prompt: "x" }, { maxTokens: tokens, stop: [] }, () => undefined, opts.signal ? AbortSignal.any([opts.signal, lease.signal]) : lease.signal);
    return result;
  } finally {
    lease.release(result);
  }
}

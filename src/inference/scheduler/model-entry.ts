import type { LoadResult, LoadSpec, MemorySample } from "../engine/engine-types.js";
import type { MemoryEstimate } from "../engine/estimate-memory.js";
import type { ModelFileInfo } from "../inspect-model-file.js";
import type { ModelRunner } from "../runner/model-runner.js";
import type { ResidentModel } from "./plan-load.js";
import type { LoadOptions } from "./prepare-load.js";

export type EntryState = "loading" | "ready" | "unloading";

/** What ListLoadedModels shows for one model (the proto's LoadedModel, in camelCase). */
export interface LoadedModelView {
  model: string;
  path: string;
  state: EntryState;
  contextSize: number;
  parallel: number;
  gpuLayers: number;
  memoryBytes: number;
  estimatedMemoryBytes: number;
  vramBytes: number;
  processRssBytes: number;
  runnerPid: number;
  pinned: boolean;
  ttlSeconds: number;
  expiresAt: string;
  activeRequests: number;
  queuedRequests: number;
  tokensPerSecond: number;
  loadedAt: string;
  loadSeconds: number;
  requestsServed: number;
  variant: string;
  variantReason: string;
}

/**
 * One model in the pool and its bookkeeping (Ollama's runnerRef): state, the requests running on it, keep-alive
 * and expiry, estimate vs measured memory. The pool mutates it; it never acts on its own.
 */
export class ModelEntry {
  state: EntryState = "loading";
  runner: ModelRunner | undefined;
  loadResult: LoadResult | undefined;
  measured: MemorySample | undefined;
  /** Leases of requests running on the model now. */
  readonly active = new Set<object>();
  lastUsed: number;
  expiresAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  loadedAt: number | undefined;
  tokensPerSecond = 0;
  requestsServed = 0;
  /** Resolves when the load ends (either way); requests arriving meanwhile share it. */
  loading: Promise<void> | undefined;
  unloading: Promise<number> | undefined;
  /** Set by a forced unload while loading: the load stops at its next step. */
  cancelLoad: Error | undefined;

  constructor(
    readonly key: string,
    readonly name: string,
    readonly file: ModelFileInfo,
    readonly spec: LoadSpec,
    readonly estimate: MemoryEstimate,
    public pinned: boolean,
    public ttlSeconds: number,
    now: number,
    readonly variant = "",
    readonly variantReason = "",
  ) {
    this.lastUsed = now;
  }

  /** What the budget charges: the estimate until measured, then the larger of the two. */
  get bytes(): number {
    return Math.max(this.estimate.totalBytes, this.measured?.memoryBytes ?? 0);
  }

  get idle(): boolean {
    return this.state === "ready" && this.active.size === 0;
  }

  resident(): ResidentModel {
    return { key: this.key, name: this.name, bytes: this.bytes, pinned: this.pinned, state: this.state, active: this.active.size, lastUsed: this.lastUsed, ttlSeconds: this.ttlSeconds };
  }

  /**
   * Starts the keep-alive countdown of an idle model: pinned and -1 never expire; 0 expires now, except right
   * after an explicit load (then after its first request).
   */
  armKeepAlive(afterExplicitLoad: boolean, expire: (reason: string) => void): void {
    this.clearTimer();
    if (this.pinned || this.ttlSeconds < 0) return;
    if (this.ttlSeconds === 0) {
      if (!(afterExplicitLoad && this.requestsServed === 0)) expire("keep-alive 0");
      return;
    }
    this.expiresAt = Date.now() + this.ttlSeconds * 1000;
    this.timer = setTimeout(() => {
      if (this.idle && !this.pinned) expire("keep-alive expired");
    }, this.ttlSeconds * 1000);
    this.timer.unref();
  }

  /** LoadModel with explicit settings that differ from this resident copy's. */
  differsFrom(o: LoadOptions): boolean {
    return (
      (o.contextSize !== undefined && o.contextSize > 0 && o.contextSize !== this.spec.contextSize) ||
      (o.parallel !== undefined && o.parallel > 0 && o.parallel !== this.spec.parallel) ||
      (o.gpuLayers !== undefined && o.gpuLayers !== this.spec.gpuLayers)
    );
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.expiresAt = undefined;
  }

  view(queued: number): LoadedModelView {
    const r = this.loadResult;
    return {
      model: this.name,
      path: this.key,
      state: this.state,
      contextSize: r?.contextSize ?? this.spec.contextSize,
      parallel: r?.parallel ?? this.spec.parallel,
      gpuLayers: r?.gpuLayers ?? (this.spec.gpuLayers === "auto" ? -1 : this.spec.gpuLayers),
      memoryBytes: this.measured?.memoryBytes ?? 0,
      estimatedMemoryBytes: this.estimate.totalBytes,
      vramBytes: this.measured?.vramBytes ?? 0,
      processRssBytes: this.measured?.processRssBytes ?? 0,
      runnerPid: this.runner?.pid ?? 0,
      pinned: this.pinned,
      ttlSeconds: this.pinned ? -1 : this.ttlSeconds,
      expiresAt: this.expiresAt === undefined ? "" : new Date(this.expiresAt).toISOString(),
      activeRequests: this.active.size,
      queuedRequests: queued,
      tokensPerSecond: this.tokensPerSecond,
      loadedAt: this.loadedAt === undefined ? "" : new Date(this.loadedAt).toISOString(),
      loadSeconds: (r?.loadMs ?? 0) / 1000,
      requestsServed: this.requestsServed,
      variant: this.variant,
      variantReason: this.variantReason,
    };
  }
}

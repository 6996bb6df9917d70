import { DEFAULT_LOAD_SETTINGS } from "../../store/inspect/estimate-load.js";
import os from "node:os";
import { CortexError, errorMessage } from "../../errors/cortex-error.js";
import type { Logger } from "../../log/logger.js";
import type { GenerationResult } from "../engine/engine-types.js";
import type { EstimateInput, MemoryEstimate } from "../engine/estimate-memory.js";
import type { ModelFileInfo } from "../inspect-model-file.js";
import type { Quantizer } from "../quant-fallback.js";
import type { RunnerFactory } from "../runner/model-runner.js";
import { exhaustedError, formatBytes } from "./exhausted-error.js";
import { poolMemoryBudget, type PoolMemoryBudget } from "../../platform/memory-budget.js";
import { ModelEntry, type LoadedModelView } from "./model-entry.js";
import { planLoad } from "./plan-load.js";
import { LeaseImpl, type Lease } from "./lease.js";
import { LoadPreparer, type LoadOptions, type PreparedLoad } from "./prepare-load.js";
import { RunnerSupply } from "./runner-supply.js";
import { waitUntil, withTimeout } from "./wait.js";

export type { Lease } from "./lease.js";

export interface PoolOptions {
  runners: RunnerFactory;
  /**
   * The request's model → the pool's identity for it (a real path: two names for one file share one entry).
   * May be synchronous (a .gguf path) or ask the model store.
   */
  resolve: (model: string) => string | Promise<string>;
  inspect: (path: string) => Promise<ModelFileInfo>;
  estimate: (input: EstimateInput) => Promise<MemoryEstimate>;
  quantizer?: Quantizer;
  keepAliveSeconds: number;
  /** 0 = as many as fit. */
  maxLoadedModels: number;
  /** Requests that may wait for memory or a free sequence before INF_BUSY. */
  maxQueuedRequests: number;
  memoryReserveBytes: number;
  /** 0 = total − reserve. */
  memoryBudgetBytes: number;
  threads: number;
  /** Load settings of a request that sets none (the store estimates `ls` at the same). @default DEFAULT_LOAD_SETTINGS */
  defaultContextSize?: number;
  defaultParallel?: number;
  ramBytes?: number;
  appleSilicon?: boolean;
  /**
   * Keep one started runner in reserve once the pool is in use, so a cold load skips the runner's start
   * (Node + llama.cpp backend, ~1.5 s on a 2-core machine) at the cost of one idle process (~90 MiB).
   * @default false
   */
  keepSpareRunner?: boolean;
  /** A load that takes longer is abandoned (its runner stopped) with INF_LOAD_FAILED. @default 600000 */
  loadTimeoutMs?: number;
  /**
   * Told the model's key (its real path) at every explicit load and every granted request, synchronously: it must
   * only note it (the model store batches last-use writes off this path).
   */
  onUse?: (key: string) => void;
  logger: Logger;
}

interface Waiter {
  key: string;
  name: string;
  kind: "slot" | "load";
  options: LoadOptions;
  prepared: PreparedLoad | undefined;
  preparing: boolean;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  resolve: (v: LeaseImpl | ModelEntry) => void;
  reject: (err: unknown) => void;
  done: boolean;
}

/**
 * The resident inference pool, shaped like Ollama's scheduler: requests take a lease on a loaded model; cold
 * requests queue while their model loads (one load shared by all of them); a model that does not fit evicts idle
 * unpinned models (LRU, then shortest keep-alive), or waits for busy ones, or is refused with the numbers.
 * Admission (pump) is synchronous, so two loads never race for the same memory. Policy lives in pure helpers
 * (plan-load.ts, memory-budget.ts, model-entry.ts keep-alive); this file is the one state machine that applies it.
 */
export class InferencePool {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly queue: Waiter[] = [];
  private readonly preparer: LoadPreparer;
  private readonly runners: RunnerSupply;
  private closed = false;
  /** Models unloaded to make room for another (for metrics). */
  evictions = 0;

  constructor(private readonly opts: PoolOptions) {
    this.runners = new RunnerSupply(opts.runners, opts.keepSpareRunner ?? false, opts.logger);
    this.preparer = new LoadPreparer({
      inspect: opts.inspect,
      estimate: opts.estimate,
      ...(opts.quantizer ? { quantizer: opts.quantizer } : {}),
      defaults: { contextSize: opts.defaultContextSize ?? DEFAULT_LOAD_SETTINGS.contextSize, parallel: opts.defaultParallel ?? DEFAULT_LOAD_SETTINGS.parallel, threads: opts.threads },
    });
  }

  /** The memory budget (VRAM counted once a runner has reported the device). */
  budget(): PoolMemoryBudget {
    return poolMemoryBudget({
      ramBytes: this.opts.ramBytes ?? os.totalmem(),
      device: this.runners.device,
      appleSilicon: this.opts.appleSilicon ?? (process.platform === "darwin" && process.arch === "arm64"),
      reserveBytes: this.opts.memoryReserveBytes,
      configuredBudgetBytes: this.opts.memoryBudgetBytes,
    });
  }

  /** The runners' GPU backend ("" for CPU only, or before the first runner reported). */
  gpu(): string {
    return this.runners.device?.gpu || "";
  }

  usedBytes(): number {
    let used = 0;
    for (const e of this.entries.values()) used += e.bytes;
    return used;
  }

  /** Waits for a free sequence of `model`, loading it first if needed (just in time). */
  async acquire(model: string, options: LoadOptions, signal?: AbortSignal): Promise<Lease> {
    return (await this.enqueue(model, options, signal, "slot")) as LeaseImpl;
  }

  /** LoadModel: loads (or finds) the model without running a request; pin and keep-alive are set as given. */
  async load(model: string, options: LoadOptions, signal?: AbortSignal): Promise<{ model: LoadedModelView; alreadyLoaded: boolean }> {
    this.ensureOpen();
    const key = await this.opts.resolve(model);
    const existing = this.entries.get(key);
    if (existing && existing.state !== "unloading") {
      if (existing.differsFrom(options)) {
        if (!existing.idle) throw new CortexError("REG_IN_USE", `${existing.name} is loaded with other settings and is busy (${existing.active.size} requests); retry when idle or unload it first`);
        await this.unloadEntry(existing, "reloading with new settings");
      } else {
        const e = (await this.enqueue(model, options, signal, "load")) as ModelEntry;
        this.applyLoadOptions(e, options);
        this.opts.onUse?.(e.key);
        return { model: e.view(this.queuedFor(e.key)), alreadyLoaded: true };
      }
    }
    const e = (await this.enqueue(model, options, signal, "load")) as ModelEntry;
    this.applyLoadOptions(e, options);
    this.opts.onUse?.(e.key);
    return { model: e.view(this.queuedFor(e.key)), alreadyLoaded: false };
  }

  /** UnloadModel: returns the measured bytes freed. Busy or loading models need `force` (which cancels them). */
  async unload(model: string, force: boolean): Promise<number> {
    this.ensureOpen();
    const e = await this.find(model);
    if (!e) throw new CortexError("REG_NOT_FOUND", `model "${model}" is not loaded`);
    if (e.state === "unloading") return e.unloading!;
    if (e.state === "loading") {
      if (!force) throw new CortexError("REG_IN_USE", `${e.name} is still loading; pass force to cancel the load`);
      e.cancelLoad = new CortexError("INF_LOAD_FAILED", `loading ${e.name} was cancelled by an unload`);
      await e.runner?.close();
      await e.loading?.catch(() => undefined);
      return 0;
    }
    if (e.active.size > 0) {
      if (!force) throw new CortexError("REG_IN_USE", `${e.name} is serving ${e.active.size} requests; pass force to cancel them`);
      for (const l of e.active) (l as LeaseImpl).abort(new CortexError("DAEMON_UNAVAILABLE", `${e.name} was unloaded`));
      await waitUntil(() => e.active.size === 0, 10_000);
    }
    return this.unloadEntry(e, "unloaded on request");
  }

  /** ListLoadedModels, with memory measured now (bounded wait per runner). */
  async list(): Promise<{ models: LoadedModelView[]; budget: PoolMemoryBudget; usedBytes: number }> {
    await Promise.all(
      [...this.entries.values()].filter((e) => e.state === "ready").map(async (e) => {
        const sample = await withTimeout(e.runner!.memory(), 1000).catch(() => undefined);
        if (sample) e.measured = sample;
      }),
    );
    const models = [...this.entries.values()].map((e) => e.view(this.queuedFor(e.key))).sort((a, b) => a.model.localeCompare(b.model));
    return { models, budget: this.budget(), usedBytes: this.usedBytes() };
  }

  /** Stops the pool: queued requests fail with UNAVAILABLE, running ones are cancelled, runners exit. */
  async stop(): Promise<void> {
    this.closed = true;
    for (const w of [...this.queue]) this.settle(w, new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down"));
    for (const e of this.entries.values()) {
      e.clearTimer();
      for (const l of e.active) (l as LeaseImpl).abort(new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down"));
    }
    // Cancelled generations stop within a token: give them a moment to end cleanly before runners exit.
    await waitUntil(() => [...this.entries.values()].every((e) => e.active.size === 0), 2000);
    await this.runners.stop();
    const runners = [...this.entries.values()].map((e) => e.runner);
    await Promise.all(runners.map((r) => r?.close().catch(() => undefined)));
    await Promise.all([...this.entries.values()].map((e) => e.loading?.catch(() => undefined)));
    this.entries.clear();
  }

  private ensureOpen(): void {
    if (this.closed) throw new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down");
  }

  private async find(model: string): Promise<ModelEntry | undefined> {
    for (const e of this.entries.values()) if (e.name === model || e.key === model) return e;
    try {
      return this.entries.get(await this.opts.resolve(model));
    } catch {
      return undefined;
    }
  }

  private queuedFor(key: string): number {
    return this.queue.filter((w) => w.key === key && w.kind === "slot").length;
  }

  private async enqueue(model: string, options: LoadOptions, signal: AbortSignal | undefined, kind: "slot" | "load"): Promise<LeaseImpl | ModelEntry> {
    this.ensureOpen();
    // A synchronous resolver keeps admission synchronous; the store's lookup is a warm, in-memory one.
    const k = this.opts.resolve(model);
    const key = typeof k === "string" ? k : await k;
    if (typeof k !== "string") this.ensureOpen();
    const e = this.entries.get(key);
    // Fast path: a resident model with a free sequence and nobody queued before us.
    if (e?.state === "ready" && !this.queue.some((w) => w.key === key)) {
      if (kind === "load") return e;
      if (e.active.size < e.spec.parallel) return this.grantNow(e, options, 0);
    }
    let prepared: PreparedLoad | undefined;
    if (!e || e.state !== "ready") {
      prepared = await this.preparer.prepare(key, options, { name: model, gpu: this.runners.gpuSettling(), availableBytes: () => this.availableBytes(), ...(signal ? { signal } : {}) });
      const budget = this.budget().budgetBytes;
      if (prepared.estimate.totalBytes > budget) {
        throw exhaustedError(model, prepared, { kind: "exhausted", neededBytes: prepared.estimate.totalBytes, freeBytes: Math.max(0, budget - this.usedBytes()), budgetBytes: budget, holders: [...this.entries.values()].map((x) => x.resident()), reason: "the model is larger than the whole memory budget" });
      }
    }
    if (signal?.aborted) throw new CortexError("JOB_CANCELLED", "request cancelled while waiting for the model");
    this.ensureOpen();
    return new Promise((resolve, reject) => {
      const w: Waiter = { key, name: model, kind, options, prepared, preparing: false, enqueuedAt: Date.now(), signal, resolve, reject, done: false };
      const onAbort = () => this.settle(w, new CortexError("JOB_CANCELLED", "request cancelled while waiting for the model"));
      signal?.addEventListener("abort", onAbort, { once: true });
      w.resolve = (v) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(v);
      };
      w.reject = (err) => {
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      };
      this.queue.push(w);
      this.pump();
      if (!w.done && this.blockedCount() > this.opts.maxQueuedRequests) {
        this.settle(w, new CortexError("INF_BUSY", `too many requests waiting (${this.blockedCount()} queued, limit ${this.opts.maxQueuedRequests}); retry later`));
      }
    });
  }

  /** Requests waiting for memory or a free sequence (not those only waiting for their model's load). */
  private blockedCount(): number {
    return this.queue.filter((w) => !w.done && this.entries.get(w.key)?.state !== "loading").length;
  }

  private availableBytes(): number {
    let pinned = 0;
    for (const e of this.entries.values()) if (e.pinned) pinned += e.bytes;
    return this.budget().budgetBytes - pinned;
  }

  /** Admission: grant what can be granted now, start loads that fit, evict for the first that does not. */
  private pump(): void {
    if (this.closed) return;
    let memoryBlocked = false;
    for (const w of [...this.queue]) {
      if (w.done) continue;
      const e = this.entries.get(w.key);
      if (e) {
        if (e.state !== "ready") continue;
        if (w.kind === "load") this.settle(w, undefined, e);
        else if (e.active.size < e.spec.parallel) this.settle(w, undefined, this.grantNow(e, w.options, e.loadedAt !== undefined && e.loadedAt >= w.enqueuedAt ? (e.loadResult?.loadMs ?? 0) : 0));
        continue;
      }
      // Loads are admitted in arrival order: once one must wait, later loads wait too (no starvation).
      if (memoryBlocked) continue;
      if (!w.prepared) {
        memoryBlocked = true;
        if (!w.preparing) this.prepareLater(w);
        continue;
      }
      const plan = planLoad(w.prepared.estimate.totalBytes, [...this.entries.values()].map((x) => x.resident()), this.budget().budgetBytes, this.opts.maxLoadedModels);
      switch (plan.kind) {
        case "load":
          this.startLoad(w, w.prepared);
          break;
        case "evict":
          memoryBlocked = true;
          this.evictions += plan.victims.length;
          for (const v of plan.victims) void this.unloadEntry(this.entries.get(v.key)!, `evicted to make room for ${w.name}`);
          break;
        case "wait":
          memoryBlocked = true;
          break;
        case "exhausted":
          this.settle(w, exhaustedError(w.name, w.prepared, plan));
          break;
      }
    }
  }

  private prepareLater(w: Waiter): void {
    w.preparing = true;
    this.preparer
      .prepare(w.key, w.options, { name: w.name, gpu: this.runners.gpuSettling(), availableBytes: () => this.availableBytes(), ...(w.signal ? { signal: w.signal } : {}) })
      .then(
        (p) => {
          w.prepared = p;
          w.preparing = false;
          this.pump();
        },
        (err) => {
          this.settle(w, err);
          this.pump();
        },
      );
  }

  private settle(w: Waiter, err: unknown, value?: LeaseImpl | ModelEntry): void {
    if (w.done) return;
    w.done = true;
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
    if (value) w.resolve(value);
    else w.reject(err);
  }

  private grantNow(e: ModelEntry, options: LoadOptions, loadMs: number): LeaseImpl {
    const lease = new LeaseImpl(e, loadMs, (l, r) => this.release(l, r));
    e.active.add(lease);
    this.opts.onUse?.(e.key);
    e.clearTimer();
    if (options.ttlSeconds !== undefined) e.ttlSeconds = options.ttlSeconds;
    if (options.pin) e.pinned = true;
    return lease;
  }

  private applyLoadOptions(e: ModelEntry, options: LoadOptions): void {
    e.pinned = Boolean(options.pin);
    if (options.ttlSeconds !== undefined) e.ttlSeconds = options.ttlSeconds;
    if (e.idle) this.scheduleExpiry(e, true);
  }

  private release(lease: LeaseImpl, result?: GenerationResult): void {
    const e = lease.entry;
    e.active.delete(lease);
    e.lastUsed = Date.now();
    e.requestsServed++;
    if (result && result.tokensPerSecond > 0) e.tokensPerSecond = result.tokensPerSecond;
    // A runner's result carries its memory; asking for it would wake the runner as the stream ends.
    if (result?.memory) e.measured = result.memory;
    else if (e.state === "ready") e.runner?.memory().then((s) => (e.measured = s), () => undefined);
    this.pump();
    if (e.idle && this.entries.get(e.key) === e) this.scheduleExpiry(e, false);
  }

  /** Keep-alive: pinned and -1 never expire; 0 unloads after the request (not right after an explicit load). */
  private scheduleExpiry(e: ModelEntry, afterExplicitLoad: boolean): void {
    if (!this.closed) e.armKeepAlive(afterExplicitLoad, (reason) => void this.unloadEntry(e, reason));
  }

  private startLoad(w: Waiter, p: PreparedLoad): void {
    const o = w.options;
    const e = new ModelEntry(w.key, w.name, p.file, p.spec, p.estimate, Boolean(o.pin), o.ttlSeconds ?? this.opts.keepAliveSeconds, Date.now(), p.variant, p.variantReason);
    this.entries.set(w.key, e);
    const log = this.opts.logger;
    log.info({ model: e.name, path: e.spec.path, contextSize: e.spec.contextSize, parallel: e.spec.parallel, estimateBytes: p.estimate.totalBytes }, "loading model");
    e.loading = (async () => {
      const runner = await this.runners.take();
      e.runner = runner;
      if (this.closed) {
        await runner.close();
        throw new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down");
      }
      runner.onCrash((err) => this.onCrash(e, err));
      if (e.cancelLoad) throw e.cancelLoad;
      const limit = this.opts.loadTimeoutMs ?? 10 * 60_000;
      e.loadResult = await withTimeout(runner.load(e.spec), limit).catch(async (err: unknown) => {
        if ((err as Error).message !== "timeout") throw err;
        await runner.close();
        throw new CortexError("INF_LOAD_FAILED", `${e.spec.path}: loading took longer than ${limit / 1000} s; the runner was stopped`);
      });
      if (e.cancelLoad) throw e.cancelLoad;
      const r = e.loadResult;
      e.measured = { memoryBytes: r.memoryBytes, vramBytes: r.vramBytes, processRssBytes: r.processRssBytes };
      e.state = "ready";
      e.loadedAt = e.lastUsed = Date.now();
    })().then(
      () => {
        const r = e.loadResult!;
        log.info({ model: e.name, loadMs: Math.round(r.loadMs), estimateBytes: e.estimate.totalBytes, measuredBytes: r.memoryBytes, rssBytes: r.processRssBytes, pid: e.runner?.pid }, "model loaded");
        this.pump();
        if (e.idle && this.entries.get(e.key) === e) this.scheduleExpiry(e, true);
      },
      (err: unknown) => {
        log.warn({ model: e.name, err: errorMessage(err) }, "model load failed");
        if (this.entries.get(e.key) === e) this.entries.delete(e.key);
        void e.runner?.close().catch(() => undefined);
        for (const x of [...this.queue]) if (x.key === e.key) this.settle(x, e.cancelLoad ?? err);
        this.pump();
      },
    );
  }

  private onCrash(e: ModelEntry, err: CortexError): void {
    this.opts.logger.error({ model: e.name, pid: e.runner?.pid, err: err.message }, "inference runner crashed");
    e.clearTimer();
    if (this.entries.get(e.key) === e && e.state !== "loading") this.entries.delete(e.key);
    for (const l of e.active) (l as LeaseImpl).abort(err);
    this.pump();
  }

  /** Unloads and resolves the measured bytes it held, once its runner has exited (memory returned). */
  private unloadEntry(e: ModelEntry, reason: string): Promise<number> {
    if (e.unloading) return e.unloading;
    e.state = "unloading";
    e.clearTimer();
    e.unloading = (async () => {
      const sample = (await withTimeout(e.runner!.memory(), 1000).catch(() => undefined)) ?? e.measured;
      await e.runner?.close().catch(() => undefined);
      if (this.entries.get(e.key) === e) this.entries.delete(e.key);
      const freed = sample?.memoryBytes ?? 0;
      this.opts.logger.info({ model: e.name, reason, freedBytes: freed, freed: formatBytes(freed) }, "model unloaded");
      return freed;
    })();
    void e.unloading.finally(() => this.pump());
    return e.unloading;
  }
}

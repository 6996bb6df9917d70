import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import { queueCounts, type Queues } from "../jobs/queues.js";

/** Where the daemon's gauges are read at scrape time (never sampled in the background). */
export interface MetricSources {
  pool: InferencePool;
  queues: Queues;
  redisHealthy: () => boolean;
}

/** "openai" / "ollama" (HTTP) or "grpc": which API served a request. */
export type Api = "openai" | "ollama" | "grpc";

const TOKEN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * cortexd's Prometheus metrics (prom-client), one registry per daemon: what requests did (counted as they end)
 * and what the pool, queues and Redis hold (read at scrape). Labels are API, endpoint, model name, status or error
 * code: never prompt text, never a secret. `GET /metrics` and gRPC GetStats render the same registry.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "cortex_requests_total", help: "Inference requests by API, endpoint, model and outcome (ok or the error code).", labelNames: ["api", "endpoint", "model", "outcome"], registers: [this.registry] });
  private readonly errors = new Counter({ name: "cortex_request_errors_total", help: "Failed inference requests by API, endpoint, model and error code.", labelNames: ["api", "endpoint", "model", "code"], registers: [this.registry] });
  private readonly promptTokens = new Counter({ name: "cortex_prompt_tokens_total", help: "Prompt tokens evaluated, by model.", labelNames: ["model"], registers: [this.registry] });
  private readonly generatedTokens = new Counter({ name: "cortex_generated_tokens_total", help: "Tokens generated, by model.", labelNames: ["model"], registers: [this.registry] });
  private readonly ttft = new Histogram({ name: "cortex_time_to_first_token_seconds", help: "From the request to its first generated text (queueing and loading included).", labelNames: ["api", "model"], buckets: TOKEN_BUCKETS, registers: [this.registry] });
  private readonly duration = new Histogram({ name: "cortex_request_duration_seconds", help: "Whole inference requests, by API, endpoint and model.", labelNames: ["api", "endpoint", "model"], buckets: DURATION_BUCKETS, registers: [this.registry] });

  constructor(sources: MetricSources) {
    const r = [this.registry];
    new Gauge({
      name: "cortex_queued_requests",
      help: "Requests waiting for a model to load or for a free sequence.",
      registers: r,
      async collect() {
        this.set((await sources.pool.list()).models.reduce((n, m) => n + m.queuedRequests, 0));
      },
    });
    new Gauge({
      name: "cortex_loaded_models",
      help: "Models resident in the pool (loading ones included).",
      registers: r,
      async collect() {
        this.set((await sources.pool.list()).models.length);
      },
    });
    new Gauge({
      name: "cortex_model_memory_bytes",
      help: "Memory of each loaded model: the estimate before loading and what llama.cpp measured.",
      labelNames: ["model", "kind"],
      registers: r,
      async collect() {
        this.reset();
        for (const m of (await sources.pool.list()).models) {
          this.set({ model: m.model, kind: "estimated" }, m.estimatedMemoryBytes);
          this.set({ model: m.model, kind: "measured" }, m.memoryBytes);
        }
      },
    });
    new Gauge({
      name: "cortex_pool_memory_bytes",
      help: "The pool's memory budget and what its models use.",
      labelNames: ["kind"],
      registers: r,
      async collect() {
        const l = await sources.pool.list();
        this.set({ kind: "budget" }, l.budget.budgetBytes);
        this.set({ kind: "used" }, l.usedBytes);
      },
    });
    new Counter({
      name: "cortex_evictions_total",
      help: "Models unloaded to make room for another.",
      registers: r,
      collect() {
        this.reset();
        this.inc(sources.pool.evictions);
      },
    });
    new Gauge({
      name: "cortex_jobs",
      help: "Jobs per queue and state.",
      labelNames: ["queue", "state"],
      registers: r,
      async collect() {
        this.reset();
        for (const q of await queueCounts(sources.queues).catch(() => [])) {
          for (const state of ["waiting", "active", "completed", "failed", "delayed"] as const) this.set({ queue: q.queue, state }, q[state]);
        }
      },
    });
    new Gauge({
      name: "cortex_download_bytes",
      help: "Bytes downloaded so far by the pull jobs running now.",
      registers: r,
      async collect() {
        const active = await sources.queues.downloads.getActive(0, 999).catch(() => []);
        this.set(active.reduce((n, j) => n + (typeof j.progress === "object" && j.progress !== null ? Number((j.progress as { done?: unknown }).done) || 0 : 0), 0));
      },
    });
    new Gauge({
      name: "cortex_redis_up",
      help: "1 when Redis answers, else 0.",
      registers: r,
      collect() {
        this.set(sources.redisHealthy() ? 1 : 0);
      },
    });
  }

  /** A generation or embedding finished (or failed: `code`). Tokens and first-token time when it generated. */
  observe(o: { api: Api; endpoint: string; model: string; seconds: number; code?: string; promptTokens?: number; generatedTokens?: number; firstTokenSeconds?: number }): void {
    this.requests.inc({ api: o.api, endpoint: o.endpoint, model: o.model, outcome: o.code ?? "ok" });
    if (o.code) this.errors.inc({ api: o.api, endpoint: o.endpoint, model: o.model, code: o.code });
    this.duration.observe({ api: o.api, endpoint: o.endpoint, model: o.model }, o.seconds);
    if (o.promptTokens) this.promptTokens.inc({ model: o.model }, o.promptTokens);
    if (o.generatedTokens) this.generatedTokens.inc({ model: o.model }, o.generatedTokens);
    if (o.firstTokenSeconds !== undefined) this.ttft.observe({ api: o.api, model: o.model }, o.firstTokenSeconds);
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The same figures as data (gRPC GetStats): each family with its samples and their labels. */
  async families(): Promise<{ name: string; help: string; type: string; samples: { name: string; labels: { name: string; value: string }[]; value: number }[] }[]> {
    const json = await this.registry.getMetricsAsJSON();
    return json.map((m) => ({
      name: m.name,
      help: m.help,
      type: String(m.type),
      samples: m.values.map((v) => ({
        name: (v as { metricName?: string }).metricName ?? m.name,
        labels: Object.entries(v.labels).map(([name, value]) => ({ name, value: String(value) })),
        value: v.value,
      })),
    }));
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

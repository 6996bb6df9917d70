import { CortexError } from "../../errors/cortex-error.js";
import { describeConfig } from "../../config/load-config.js";
import type { ServiceContext } from "../service-context.js";
import { queueCounts } from "../../jobs/queues.js";
import { withFleetWorkers } from "../../jobs/fleet-status.js";
import { listFleetWorkers } from "../../jobs/worker-registry.js";
import os from "node:os";
import { poolMemoryBudget } from "../../platform/memory-budget.js";
import { isAppleSilicon, platformInfo } from "../../platform/platform-info.js";
import { VERSION } from "../../version.js";
import type { InferencePool } from "../../inference/scheduler/inference-pool.js";
import type { ModelStore } from "../../store/model-store.js";
import type { ModelServiceHandlers } from "../generated/cortex/v1/ModelService.js";
import { unary } from "../handlers.js";
import { createStoreRpcs } from "./store-rpcs.js";

/** The pool's view: RAM + VRAM (or unified memory) once a runner has reported the device, and what models hold. */
function poolMemory(pool: InferencePool) {
  const b = pool.budget();
  return { total_bytes: b.totalBytes, reserve_bytes: b.reserveBytes, budget_bytes: b.budgetBytes, used_bytes: pool.usedBytes(), unified: b.unified };
}

/** Before the pool exists (or has probed a GPU): RAM only, through the same budget function. */
function hostMemory(reserveBytes: number, configuredBudgetBytes: number) {
  const b = poolMemoryBudget({ ramBytes: os.totalmem(), device: undefined, appleSilicon: isAppleSilicon(), reserveBytes, configuredBudgetBytes });
  return { total_bytes: b.totalBytes, reserve_bytes: b.reserveBytes, budget_bytes: b.budgetBytes, used_bytes: 0, unified: b.unified };
}

const STATUS_REDIS_BOUND_MS = 800;

/** `p`'s value, or undefined when it takes longer than `ms`. */
function withinMs<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]).finally(() => clearTimeout(timer));
}

/** ModelService: daemon status and config here, the model store's RPCs (store-rpcs.ts) beside them. */
export function createModelService(ctx: ServiceContext, store?: ModelStore): Partial<ModelServiceHandlers> {
  return {
    ...(store ? createStoreRpcs(store) : {}),
    GetStatus: unary(async () => {
      let healthy = ctx.redis.healthy();
      const fleet = ctx.redis.mode === "external";
      // Redis may freeze between the watchdog's look and these calls: status answers within a second regardless.
      const answered = healthy
        ? await withinMs(STATUS_REDIS_BOUND_MS, Promise.all([ctx.redis.version().catch(() => ""), queueCounts(ctx.queues).catch(() => []), fleet ? listFleetWorkers(ctx.redis.client).catch(() => []) : undefined]))
        : undefined;
      if (healthy && !answered) healthy = false;
      const [version, counts, workers] = answered ?? ["", [], undefined];
      const queues = withFleetWorkers(counts, workers);
      return {
        version: VERSION,
        uptime_seconds: (Date.now() - ctx.startedAt.getTime()) / 1000,
        home: ctx.config.home,
        pid: process.pid,
        redis: { mode: ctx.redis.mode, healthy, address: ctx.redis.address, version, restarts: ctx.redis.restarts() },
        queues,
        memory: ctx.inference ? poolMemory(ctx.inference) : hostMemory(ctx.config.memoryReserveBytes, ctx.config.memoryBudgetBytes),
        platform: platformInfo(ctx.config.threads),
        listeners: ctx.listeners(),
        started_at: ctx.startedAt.toISOString(),
        workers: workers ?? [],
      };
    }),
    GetStats: unary(async () => {
      if (!ctx.metrics) throw new CortexError("DAEMON_UNAVAILABLE", "metrics are not collected by this daemon");
      return { metrics: await ctx.metrics.families() };
    }),
    GetConfig: unary(async () => ({
      entries: describeConfig(ctx.loaded).map((e) => ({ key: e.key, value: e.value, source: e.source, description: e.description })),
      config_file: ctx.loaded.file,
    })),
  };
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { isCortexError } from "../../src/errors/cortex-error.js";
import type { Quantizer } from "../../src/inference/quant-fallback.js";
import { eventually, FakeWorld, generateOn, MiB, sleep } from "./fake-pool.js";

const code = (c: string) => (err: unknown) => isCortexError(err) && err.code === c;

test("concurrent cold requests for one model share one load (just in time)", async () => {
  const w = new FakeWorld();
  w.loadMs = 100;
  const a = w.model("a", 100);
  const pool = w.pool({ defaultParallel: 4 });
  const results = await Promise.all([1, 2, 3, 4].map(() => generateOn(pool, a, 3)));
  assert.deepEqual(w.loads, ["a"]);
  assert.ok(results.every((r) => r.generatedTokens === 3));
  const { models } = await pool.list();
  assert.equal(models.length, 1);
  assert.equal(models[0]!.requestsServed, 4);
  await pool.stop();
});

test("the lease of a request that waited for the load reports the load time; a resident model reports 0", async () => {
  const w = new FakeWorld();
  w.loadMs = 50;
  const a = w.model("a", 100);
  const pool = w.pool();
  const cold = await pool.acquire(a, {});
  assert.equal(cold.loadMs, 50);
  cold.release();
  const hot = await pool.acquire(a, {});
  assert.equal(hot.loadMs, 0);
  hot.release();
  await pool.stop();
});

test("keep-alive: a model unloads ttl seconds after its last request; ttl 0 right after it; -1 never", async () => {
  const w = new FakeWorld();
  const [a, b, c] = [w.model("a", 10), w.model("b", 10), w.model("c", 10)];
  const pool = w.pool();
  await generateOn(pool, a, 1, { ttlSeconds: 1 });
  await generateOn(pool, b, 1, { ttlSeconds: 0 });
  await generateOn(pool, c, 1, { ttlSeconds: -1 });
  const listed = (await pool.list()).models;
  assert.ok(listed.find((m) => m.model === "a")!.expiresAt, "a shows when it expires");
  assert.equal(listed.find((m) => m.model === "c")!.expiresAt, "", "c never expires");
  await eventually(async () => !(await pool.list()).models.some((m) => m.model === "b"), 1000, "b unloaded after its request");
  assert.ok((await pool.list()).models.some((m) => m.model === "a"), "a still loaded before its ttl");
  await eventually(async () => !(await pool.list()).models.some((m) => m.model === "a"), 2500, "a unloaded after 1 s");
  await sleep(200);
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["c"]);
  await pool.stop();
});

test("a new request cancels the pending expiry; the default keep-alive comes from the config", async () => {
  const w = new FakeWorld();
  const a = w.model("a", 10);
  const pool = w.pool({ keepAliveSeconds: 1 });
  await generateOn(pool, a, 1);
  await sleep(700);
  await generateOn(pool, a, 1);
  await sleep(700);
  assert.ok((await pool.list()).models.some((m) => m.model === "a"), "expiry restarted by the second request");
  await eventually(async () => (await pool.list()).models.length === 0, 2000, "expiry");
  await pool.stop();
});

test("eviction under a small budget takes the least recently used idle model, never a pinned one", async () => {
  const w = new FakeWorld();
  const [a, b, c, d] = [w.model("a", 300), w.model("b", 300), w.model("c", 300), w.model("d", 300)];
  const pool = w.pool({ memoryBudgetBytes: 700 * MiB });
  await generateOn(pool, a, 1);
  await generateOn(pool, b, 1);
  await generateOn(pool, a, 1); // b is now the least recently used
  await generateOn(pool, c, 1);
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["a", "c"]);
  await pool.load(a, { pin: true });
  await generateOn(pool, d, 1); // a is older than c, but pinned
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["a", "d"]);
  await pool.stop();
});

test("on equal recency, the model with the shorter keep-alive is evicted first", async () => {
  const { planLoad } = await import("../../src/inference/scheduler/plan-load.js");
  const m = (name: string, ttl: number) => ({ key: name, name, bytes: 100, pinned: false, state: "ready" as const, active: 0, lastUsed: 5, ttlSeconds: ttl });
  const plan = planLoad(100, [m("forever", -1), m("long", 600), m("short", 60)], 300);
  assert.equal(plan.kind, "evict");
  assert.deepEqual(plan.kind === "evict" && plan.victims.map((v) => v.name), ["short"]);
});

test("a model that does not fit waits for a generating model instead of killing it, then evicts it", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const [a, b] = [w.model("a", 400), w.model("b", 400)];
  const pool = w.pool({ memoryBudgetBytes: 600 * MiB });
  const long = generateOn(pool, a, 15); // ~300 ms
  await eventually(async () => (await pool.list()).models.some((m) => m.model === "a" && m.activeRequests === 1), 2000, "a generating");
  const t0 = Date.now();
  const second = generateOn(pool, b, 1);
  const first = await long;
  assert.equal(first.generatedTokens, 15, "a's generation ran to the end");
  assert.equal(first.finishReason, "length");
  await second;
  assert.ok(Date.now() - t0 >= 150, "b waited for a");
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["b"]);
  await pool.stop();
});

test("RESOURCE_EXHAUSTED with the numbers when pinned models hold the budget", async () => {
  const w = new FakeWorld();
  const [a, b] = [w.model("a", 400), w.model("big", 400)];
  const pool = w.pool({ memoryBudgetBytes: 600 * MiB });
  await pool.load(a, { pin: true });
  await assert.rejects(pool.acquire(b, {}), (err: unknown) => {
    assert.ok(code("INF_RESOURCE_EXHAUSTED")(err));
    const msg = (err as Error).message;
    assert.match(msg, /model "big" needs 400 MiB/);
    assert.match(msg, /200 MiB of the 600 MiB budget is free/);
    assert.match(msg, /held by a 400 MiB \(pinned\)/);
    return true;
  });
  await pool.stop();
});

test("a model larger than the whole budget is refused before anything is evicted", async () => {
  const w = new FakeWorld();
  const [a, huge] = [w.model("a", 100), w.model("huge", 2000)];
  const pool = w.pool({ memoryBudgetBytes: 1000 * MiB });
  await generateOn(pool, a, 1);
  await assert.rejects(pool.acquire(huge, {}), (err: unknown) => code("INF_RESOURCE_EXHAUSTED")(err) && /larger than the whole memory budget/.test((err as Error).message));
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["a"], "a was not evicted for a hopeless load");
  await pool.stop();
});

test("per-model concurrency: with parallel 2 a third request queues until a sequence frees", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100);
  const pool = w.pool({ defaultParallel: 2 });
  const running = [generateOn(pool, a, 10), generateOn(pool, a, 10)];
  await eventually(async () => (await pool.list()).models[0]?.activeRequests === 2, 2000, "two running");
  const third = generateOn(pool, a, 1);
  await sleep(50);
  const view = (await pool.list()).models[0]!;
  assert.equal(view.activeRequests, 2);
  assert.equal(view.queuedRequests, 1);
  await Promise.all([...running, third]);
  assert.equal((await pool.list()).models[0]!.requestsServed, 3);
  await pool.stop();
});

test("a full queue answers INF_BUSY; a cancelled waiter leaves the queue", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100);
  const pool = w.pool({ maxQueuedRequests: 1 });
  const running = generateOn(pool, a, 10);
  await eventually(async () => (await pool.list()).models[0]?.activeRequests === 1, 2000, "running");
  const controller = new AbortController();
  const queued = pool.acquire(a, {}, controller.signal);
  await assert.rejects(pool.acquire(a, {}), (err: unknown) => code("INF_BUSY")(err) && /1 queued|limit 1/.test((err as Error).message));
  controller.abort();
  await assert.rejects(queued, code("JOB_CANCELLED"));
  assert.equal((await pool.list()).models[0]!.queuedRequests, 0);
  await running;
  await pool.stop();
});

test("maxLoadedModels evicts by count even when memory would fit", async () => {
  const w = new FakeWorld();
  const [a, b, c] = [w.model("a", 10), w.model("b", 10), w.model("c", 10)];
  const pool = w.pool({ maxLoadedModels: 2 });
  await generateOn(pool, a, 1);
  await generateOn(pool, b, 1);
  await generateOn(pool, c, 1);
  assert.deepEqual((await pool.list()).models.map((m) => m.model), ["b", "c"]);
  await pool.stop();
});

test("a runner crash fails its requests with INF_RUNNER_CRASHED, frees the model, and the next request reloads", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100);
  const pool = w.pool();
  const running = generateOn(pool, a, 50);
  await eventually(() => w.runnerFor(a) !== undefined && w.loads.length === 1, 2000, "loaded");
  await sleep(30);
  w.runnerFor(a)!.crash();
  await assert.rejects(running, code("INF_RUNNER_CRASHED"));
  assert.equal((await pool.list()).models.length, 0);
  const again = await generateOn(pool, a, 2);
  assert.equal(again.generatedTokens, 2);
  assert.deepEqual(w.loads, ["a", "a"]);
  await pool.stop();
});

test("a failed load fails every request that waited for it and leaves nothing behind", async () => {
  const w = new FakeWorld();
  const bad = w.model("bad", 10);
  w.failLoad.add(bad);
  const pool = w.pool({ defaultParallel: 2 });
  const results = await Promise.allSettled([pool.acquire(bad, {}), pool.acquire(bad, {})]);
  assert.ok(results.every((r) => r.status === "rejected" && code("INF_LOAD_FAILED")(r.reason)));
  assert.deepEqual(w.loads, ["bad"], "one load for both");
  assert.equal((await pool.list()).models.length, 0);
  await pool.stop();
});

test("UnloadModel: busy needs force (which cancels the request), idle returns the measured bytes", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100, 80);
  const pool = w.pool();
  await assert.rejects(pool.unload(a, false), code("REG_NOT_FOUND"));
  const running = generateOn(pool, a, 1000);
  await eventually(async () => (await pool.list()).models[0]?.activeRequests === 1, 2000, "running");
  await assert.rejects(pool.unload(a, false), (err: unknown) => code("REG_IN_USE")(err) && /serving 1 requests; pass force/.test((err as Error).message));
  const freed = await pool.unload(a, true);
  assert.equal(freed, 80 * MiB);
  assert.equal((await running).finishReason, "cancelled");
  assert.equal((await pool.list()).models.length, 0);
  await pool.stop();
});

test("LoadModel: already loaded is reported; pin and keep-alive are updated; other settings on a busy model are refused", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100);
  const pool = w.pool();
  const first = await pool.load(a, { ttlSeconds: 60 });
  assert.equal(first.alreadyLoaded, false);
  assert.equal(first.model.ttlSeconds, 60);
  const again = await pool.load(a, { pin: true });
  assert.equal(again.alreadyLoaded, true);
  assert.equal(again.model.pinned, true);
  assert.equal(again.model.ttlSeconds, -1, "pinned shows as forever");
  const running = generateOn(pool, a, 20);
  await eventually(async () => (await pool.list()).models[0]?.activeRequests === 1, 2000, "running");
  await assert.rejects(pool.load(a, { contextSize: 1024 }), code("REG_IN_USE"));
  await running;
  const reloaded = await pool.load(a, { contextSize: 1024 });
  assert.equal(reloaded.alreadyLoaded, false);
  assert.equal(reloaded.model.contextSize, 1024);
  await pool.stop();
});

test("estimate vs measured: the budget charges the larger, and ListLoadedModels shows both", async () => {
  const w = new FakeWorld();
  const a = w.model("a", 100, 150);
  const pool = w.pool();
  await generateOn(pool, a, 1);
  const r = await pool.list();
  assert.equal(r.models[0]!.estimatedMemoryBytes, 100 * MiB);
  assert.equal(r.models[0]!.memoryBytes, 150 * MiB);
  assert.equal(r.usedBytes, 150 * MiB);
  await pool.stop();
});

test("stop fails queued requests with DAEMON_UNAVAILABLE and closes every runner", async () => {
  const w = new FakeWorld();
  w.tokenMs = 20;
  const a = w.model("a", 100);
  const pool = w.pool();
  const running = generateOn(pool, a, 1000);
  await eventually(async () => (await pool.list()).models[0]?.activeRequests === 1, 2000, "running");
  const queued = assert.rejects(pool.acquire(a, {}), code("DAEMON_UNAVAILABLE"));
  await pool.stop();
  await queued;
  assert.equal((await running).finishReason, "cancelled");
  assert.ok(w.runners.every((r) => r.closed), "every runner closed");
  await assert.rejects(pool.acquire(a, {}), code("DAEMON_UNAVAILABLE"));
});

test("quantization fallback hook: a model that cannot fit loads the Q8_0 variant the quantizer produces", async () => {
  const w = new FakeWorld();
  const big = w.model("big-f16", 1500);
  w.model("big-f16.Q8_0", 800);
  const asked: string[] = [];
  const quantizer: Quantizer = {
    existing: async () => undefined,
    quantize: async (source, type) => {
      asked.push(`${source}→${type}`);
      return `${source}.${type}`;
    },
  };
  const pool = w.pool({ quantizer });
  const lease = await pool.acquire(big, {});
  assert.equal(lease.variant, "Q8_0");
  assert.match(lease.variantReason, /F16 needs 1\.46 GiB, 1000 MiB available; Q8_0 needs 973 MiB/);
  lease.release();
  assert.deepEqual(asked, ["big-f16→Q8_0"]);
  assert.deepEqual(w.loads, ["big-f16.Q8_0"]);
  await pool.stop();
});

test("a load that hangs is abandoned after loadTimeoutMs: INF_LOAD_FAILED, its runner stopped, nothing left behind", async () => {
  const w = new FakeWorld();
  w.loadMs = 2000;
  const slow = w.model("slow", 10);
  const pool = w.pool({ loadTimeoutMs: 100 });
  await assert.rejects(pool.acquire(slow, {}), (err: unknown) => code("INF_LOAD_FAILED")(err) && /slow: loading took longer than 0\.1 s/.test((err as Error).message));
  assert.equal((await pool.list()).models.length, 0);
  assert.ok(w.runners.some((r) => r.closed), "the hung runner was stopped");
  await pool.stop();
});

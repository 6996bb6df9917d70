import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { poolMemoryBudget } from "../../src/platform/memory-budget.js";
import { planLoad, type ResidentModel } from "../../src/inference/scheduler/plan-load.js";
import { bitsPerWeight, chooseFallback } from "../../src/inference/quant-fallback.js";

const GiB = 1024 ** 3;
const model = (name: string, over: Partial<ResidentModel> = {}): ResidentModel => ({ key: name, name, bytes: 100, pinned: false, state: "ready", active: 0, lastUsed: 0, ttlSeconds: 300, ...over });

test("planLoad: loads when it fits, evicts idle models oldest first, only as many as needed", () => {
  assert.deepEqual(planLoad(100, [model("a")], 300), { kind: "load" });
  const plan = planLoad(250, [model("new", { lastUsed: 9 }), model("old", { lastUsed: 1 }), model("mid", { lastUsed: 5 })], 400);
  assert.equal(plan.kind, "evict");
  assert.deepEqual(plan.kind === "evict" && plan.victims.map((v) => v.name), ["old", "mid"]);
});

test("planLoad: never evicts loading, generating or pinned models; waits for busy ones, refuses when only pinned ones hold the memory", () => {
  const busy = [model("loading", { state: "loading" }), model("generating", { active: 2 }), model("pinned", { pinned: true })];
  const wait = planLoad(200, busy, 300);
  assert.equal(wait.kind, "wait");
  const exhausted = planLoad(200, [model("p1", { pinned: true }), model("p2", { pinned: true })], 300);
  assert.equal(exhausted.kind, "exhausted");
  if (exhausted.kind === "exhausted") {
    assert.equal(exhausted.neededBytes, 200);
    assert.equal(exhausted.freeBytes, 100);
    assert.deepEqual(exhausted.holders.map((h) => h.name), ["p1", "p2"]);
  }
});

test("planLoad: memory of models being unloaded counts as free soon (no second eviction while one is under way)", () => {
  const plan = planLoad(150, [model("leaving", { state: "unloading" }), model("idle", { lastUsed: 0 })], 250);
  assert.equal(plan.kind, "wait");
});

test("planLoad: a model bigger than the budget is exhausted at once", () => {
  const plan = planLoad(500, [model("a")], 400);
  assert.equal(plan.kind, "exhausted");
  assert.match(plan.kind === "exhausted" ? plan.reason : "", /larger than the whole memory budget/);
});

test("planLoad: maxLoadedModels evicts by count, and refuses when pinned models hold every slot", () => {
  const plan = planLoad(1, [model("a", { lastUsed: 2 }), model("b", { lastUsed: 1 })], 1000, 2);
  assert.deepEqual(plan.kind === "evict" && plan.victims.map((v) => v.name), ["b"]);
  const full = planLoad(1, [model("a", { pinned: true }), model("b", { pinned: true })], 1000, 2);
  assert.equal(full.kind, "exhausted");
  assert.match(full.kind === "exhausted" ? full.reason : "", /maxLoadedModels is 2/);
});

test("planLoad invariants (property): victims are idle, unpinned, ready; after eviction the model fits", () => {
  const arb = fc.array(
    fc.record({ bytes: fc.integer({ min: 1, max: 500 }), pinned: fc.boolean(), state: fc.constantFrom("loading", "ready", "unloading"), active: fc.integer({ min: 0, max: 2 }), lastUsed: fc.integer({ min: 0, max: 100 }), ttlSeconds: fc.integer({ min: -1, max: 600 }) }),
    { maxLength: 8 },
  );
  fc.assert(
    fc.property(arb, fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 3000 }), (specs, needed, budget) => {
      const models = specs.map((s, i) => model(`m${i}`, s as Partial<ResidentModel>));
      const plan = planLoad(needed, models, budget);
      const used = models.reduce((s, m) => s + m.bytes, 0);
      if (plan.kind === "load") assert.ok(needed <= budget - used);
      if (plan.kind === "evict") {
        for (const v of plan.victims) assert.ok(v.state === "ready" && v.active === 0 && !v.pinned);
        const freed = plan.victims.reduce((s, v) => s + v.bytes, 0) + models.filter((m) => m.state === "unloading").reduce((s, m) => s + m.bytes, 0);
        assert.ok(needed <= budget - used + freed);
      }
      if (plan.kind === "exhausted") {
        const pinned = models.filter((m) => m.pinned && m.state !== "unloading").reduce((s, m) => s + m.bytes, 0);
        assert.ok(needed > budget - pinned, "exhausted only when pinned models (or the budget) make it impossible");
      }
    }),
  );
});

test("memory budget: unified memory counts RAM once; elsewhere VRAM adds to RAM; a configured budget wins", () => {
  const gpu = { gpu: "cuda", vramTotalBytes: 24 * GiB, vramFreeBytes: 20 * GiB, unifiedMemoryBytes: 0, cpuMathCores: 16 };
  const cuda = poolMemoryBudget({ ramBytes: 64 * GiB, device: gpu, appleSilicon: false, reserveBytes: 4 * GiB, configuredBudgetBytes: 0 });
  assert.equal(cuda.totalBytes, 88 * GiB);
  assert.equal(cuda.budgetBytes, 84 * GiB);
  assert.equal(cuda.unified, false);
  const mac = poolMemoryBudget({ ramBytes: 32 * GiB, device: { ...gpu, gpu: "metal", vramTotalBytes: 24 * GiB, unifiedMemoryBytes: 24 * GiB }, appleSilicon: true, reserveBytes: 4 * GiB, configuredBudgetBytes: 0 });
  assert.equal(mac.totalBytes, 32 * GiB);
  assert.equal(mac.unified, true);
  assert.equal(mac.budgetBytes, 28 * GiB);
  const cpu = poolMemoryBudget({ ramBytes: 16 * GiB, device: undefined, appleSilicon: false, reserveBytes: 2 * GiB, configuredBudgetBytes: 3 * GiB });
  assert.equal(cpu.budgetBytes, 3 * GiB);
});

test("quantization fallback: the original when it fits, Q8_0 preferred, Q4_K_M only when Q8_0 does not fit", () => {
  const f16 = { originalType: "F16", weightsBytes: 16 * GiB, contextBytes: 1 * GiB };
  assert.equal(chooseFallback({ ...f16, availableBytes: 20 * GiB }).variant, "original");
  const q8 = chooseFallback({ ...f16, availableBytes: 10 * GiB });
  assert.equal(q8.variant, "Q8_0");
  assert.ok(q8.variant && q8.estimatedBytes <= 10 * GiB);
  const q4 = chooseFallback({ ...f16, availableBytes: 6 * GiB });
  assert.equal(q4.variant, "Q4_K_M");
  assert.match(q4.reason, /Q8_0 would need 9\.\d+ GiB/);
  const none = chooseFallback({ ...f16, availableBytes: 3 * GiB });
  assert.equal(none.variant, undefined);
  assert.match(none.reason, /Q4_K_M would need/);
});

test("quantization fallback: never 're-quantizes' up; unknown weight types are not quantized", () => {
  assert.equal(chooseFallback({ originalType: "Q8_0", weightsBytes: 8 * GiB, contextBytes: GiB, availableBytes: 6 * GiB }).variant, "Q4_K_M");
  assert.equal(chooseFallback({ originalType: "Q4_K_M", weightsBytes: 8 * GiB, contextBytes: GiB, availableBytes: 6 * GiB }).variant, undefined);
  assert.match(chooseFallback({ originalType: "MYSTERY", weightsBytes: 8 * GiB, contextBytes: GiB, availableBytes: 6 * GiB }).reason, /MYSTERY weights cannot be re-quantized/);
  assert.equal(bitsPerWeight("Q8_0"), 8.5);
  assert.equal(bitsPerWeight("F16"), 16);
});

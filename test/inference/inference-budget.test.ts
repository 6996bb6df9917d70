import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { estimateMemory } from "../../src/inference/engine/estimate-memory.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { eventually, sleep } from "./fake-pool.js";
import { call, cortexCode, grpcCode, listModels, processAlive, stream } from "./inference-client.js";

const skip = tinyModelsUnavailable();
const LOAD = { context_size: 256, parallel: 1 };
const gen = (model: string, max = 2) => ({ model, prompt: "hello there", sampling: { temperature: 0, max_tokens: max }, load: LOAD });

/** A daemon whose budget holds two tiny models (2.5× one estimate) and whose queue holds one request. */
describe("memory budget, eviction, pinning and queueing through a real daemon", { skip }, () => {
  let d: RunningDaemon;
  let dir: string;
  let estimate: number;
  const names = async () => (await listModels(d.client)).models.map((m) => m.model);

  before(async () => {
    dir = fs.mkdtempSync(path.join("/tmp", "cxb-"));
    const home = path.join(dir, "h");
    const src = tinyModel();
    for (const n of ["a", "b", "c", "d"]) copyModel(src, path.join(home, "models"), `${n}.gguf`);
    estimate = (await estimateMemory({ path: src, contextSize: LOAD.context_size, parallel: LOAD.parallel })).totalBytes;
    d = await startDaemon(home, { env: { CORTEX_THREADS: "1", CORTEX_MEMORY_BUDGET: String(Math.floor(estimate * 2.5)), CORTEX_MAX_QUEUE: "1", CORTEX_MEMORY_RESERVE: "0" } });
  });
  after(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a third model evicts the least recently used idle one, and its runner exits", async () => {
    await stream(d.client, "Generate", gen("a.gguf"));
    await stream(d.client, "Generate", gen("b.gguf"));
    await stream(d.client, "Generate", gen("a.gguf")); // b is now least recently used
    const bPid = (await listModels(d.client)).models.find((m) => m.model === "b.gguf")!.runner_pid;
    const c = await stream(d.client, "Generate", gen("c.gguf"));
    assert.ok(c.stats.load_ms > 0);
    assert.deepEqual(await names(), ["a.gguf", "c.gguf"]);
    await eventually(() => !processAlive(bPid), 3000, "b's runner exited");
  });

  test("pinned models are never evicted; when pinned models hold the memory, RESOURCE_EXHAUSTED says who and how much", async () => {
    const pinned = await call(d.client, "LoadModel", { model: "a.gguf", options: { ...LOAD, pin: true } });
    assert.equal(pinned.model!.pinned, true);
    await stream(d.client, "Generate", gen("b.gguf")); // evicts c (a is older but pinned)
    assert.deepEqual(await names(), ["a.gguf", "b.gguf"]);
    await call(d.client, "LoadModel", { model: "b.gguf", options: { ...LOAD, pin: true } });
    const err = await stream(d.client, "Generate", gen("c.gguf")).catch((e: unknown) => e);
    assert.equal(grpcCode(err), grpc.status.RESOURCE_EXHAUSTED, String(err));
    assert.equal(cortexCode(err), "INF_RESOURCE_EXHAUSTED");
    const msg = (err as Error).message;
    assert.match(msg, /model "c\.gguf" needs [\d.]+ MiB \(weights [\d.]+ MiB \+ context [\d.]+ MiB for 1×256 tokens\)/);
    assert.match(msg, /[\d.]+ MiB of the [\d.]+ MiB budget is free; held by a\.gguf [\d.]+ MiB \(pinned\), b\.gguf [\d.]+ MiB \(pinned\)/);
    assert.deepEqual(await names(), ["a.gguf", "b.gguf"], "nothing was evicted");
    // LoadModel sets pin as given: loading again without --pin unpins.
    await call(d.client, "LoadModel", { model: "a.gguf", options: LOAD });
    await call(d.client, "LoadModel", { model: "b.gguf", options: LOAD });
    assert.ok((await listModels(d.client)).models.every((m) => !m.pinned));
  });

  test("a model that does not fit waits for busy models instead of interrupting them; a full queue answers RESOURCE_EXHAUSTED (INF_BUSY)", async () => {
    let callA: grpc.ClientReadableStream<unknown> | undefined;
    const longA = stream(d.client, "Generate", { ...gen("a.gguf", 100_000), prompt: "busy a" }, { onMessage: (_m, c) => (callA = c) }).catch((e: unknown) => e);
    const longB = stream(d.client, "Generate", { ...gen("b.gguf", 100_000), prompt: "busy b" }).catch((e: unknown) => e);
    await eventually(async () => (await listModels(d.client)).models.filter((m) => m.active_requests === 1).length === 2, 5000, "a and b generating");
    let cDone = false;
    const t0 = Date.now();
    const c = stream(d.client, "Generate", gen("c.gguf")).finally(() => (cDone = true));
    await sleep(300);
    assert.equal(cDone, false, "c is queued, not refused");
    const busy = await stream(d.client, "Generate", gen("d.gguf")).catch((e: unknown) => e);
    assert.equal(grpcCode(busy), grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(cortexCode(busy), "INF_BUSY");
    assert.match((busy as Error).message, /too many requests waiting/);
    assert.deepEqual(await names(), ["a.gguf", "b.gguf"], "no busy model was evicted");
    // a's client goes away: a becomes idle, is evicted, and c loads.
    callA!.cancel();
    const cr = await c;
    assert.equal(cr.stats.generated_tokens, 2);
    assert.ok(cr.stats.queue_ms >= 300 && Date.now() - t0 >= 300);
    assert.equal(grpcCode(await longA), grpc.status.CANCELLED);
    assert.deepEqual(await names(), ["b.gguf", "c.gguf"]);
    await call(d.client, "UnloadModel", { model: "b.gguf", force: true });
    assert.equal(grpcCode(await longB), grpc.status.UNAVAILABLE, "a forced unload ends the stream with UNAVAILABLE");
  });
});

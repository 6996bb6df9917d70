import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor } from "../../src/grpc/client.js";
import { serviceDefinition } from "../../src/grpc/proto.js";
import { createInferenceService } from "../../src/grpc/services/inference-service.js";
import { StreamRegistry } from "../../src/grpc/stream-registry.js";
import { FakeWorld } from "./fake-pool.js";

type Client = grpc.Client & Record<string, Function>;

/** InferenceService on a real gRPC server (127.0.0.1:0) over a pool of fake runners. */
async function serve(t: { after: (fn: () => Promise<void> | void) => void }, world: FakeWorld) {
  const pool = world.pool({ defaultParallel: 4 });
  const server = new grpc.Server();
  server.addService(serviceDefinition("cortex.v1.InferenceService"), createInferenceService(pool, new StreamRegistry()));
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new (clientConstructor("cortex.v1.InferenceService"))(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
  t.after(async () => {
    client.close();
    await pool.stop();
    server.forceShutdown();
  });
  return { client, pool };
}

async function collect(s: grpc.ClientReadableStream<{ text: string; stats?: Record<string, unknown> | null }>, onFirst?: () => void) {
  let text = "";
  let messages = 0;
  let stats: Record<string, unknown> | undefined;
  s.on("data", (m) => {
    messages++;
    text += m.text;
    if (m.stats) stats = m.stats;
    if (messages === 1) onFirst?.();
  });
  await once(s, "end");
  return { text, messages, stats: stats! };
}

test("a slow reader gets every piece, batched into fewer messages while the stream is flow-controlled", async (t) => {
  const world = new FakeWorld();
  world.tokenMs = 0;
  world.pieceText = (n) => `${String(n).padStart(5, "0")}${"x".repeat(1019)}`; // 1 KiB per token
  world.model("m", 10);
  const { client } = await serve(t, world);
  const req = { model: "m", prompt: "p", sampling: { max_tokens: 400 } };
  const fast = await collect(client.Generate!(req));
  const s = client.Generate!(req) as grpc.ClientReadableStream<{ text: string }>;
  const slow = await collect(s, () => {
    s.pause();
    setTimeout(() => s.resume(), 500);
  });
  const expected = Array.from({ length: 400 }, (_, i) => world.pieceText(i + 1)).join("");
  assert.equal(fast.text, expected);
  assert.equal(slow.text, expected, "nothing lost or reordered");
  assert.equal(slow.stats.generated_tokens, 400);
  assert.ok(slow.messages < fast.messages / 2, `slow reader got ${slow.messages} messages for 400 tokens (fast: ${fast.messages})`);
});

test("an empty prompt only loads the model (finish_reason load) and reports the load time", async (t) => {
  const world = new FakeWorld();
  world.loadMs = 60;
  world.model("m", 10);
  const { client, pool } = await serve(t, world);
  const r = await collect(client.Generate!({ model: "m", prompt: "" }));
  assert.equal(r.text, "");
  assert.equal(r.stats.finish_reason, "load");
  assert.ok((r.stats.load_ms as number) >= 60);
  assert.equal((await pool.list()).models[0]!.requestsServed, 1);
});

test("errors reach the client as gRPC status codes with the cortex code in the trailer", async (t) => {
  const world = new FakeWorld();
  const { client } = await serve(t, world);
  const err = await new Promise<grpc.ServiceError>((resolve) => {
    const s = client.Generate!({ model: "missing", prompt: "x" }) as grpc.ClientReadableStream<unknown>;
    s.on("data", () => undefined);
    s.on("error", resolve);
  });
  assert.equal(err.code, grpc.status.NOT_FOUND);
  assert.equal(err.metadata.get("cortex-error-code")[0], "REG_NOT_FOUND");
  const bad = await new Promise<grpc.ServiceError>((resolve) => {
    const s = client.Chat!({ model: "m", messages: [{ role: "wizard", content: "x" }] }) as grpc.ClientReadableStream<unknown>;
    s.on("data", () => undefined);
    s.on("error", resolve);
  });
  assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
  assert.match(bad.details, /messages\[0\]\.role "wizard"/);
  const noModel = await new Promise<grpc.ServiceError | null>((resolve) => client.LoadModel!({ model: "" }, (e: grpc.ServiceError | null) => resolve(e)));
  assert.equal(noModel?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(noModel?.details ?? "", /model is required/);
});

test("LoadModel, ListLoadedModels and UnloadModel map the pool onto the proto fields", async (t) => {
  const world = new FakeWorld();
  world.model("m", 100, 90);
  const { client } = await serve(t, world);
  const unary = <T>(method: string, req: object) => new Promise<T>((resolve, reject) => client[method]!(req, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))));
  const loaded = await unary<{ model: Record<string, unknown>; already_loaded: boolean }>("LoadModel", { model: "m", options: { ttl_seconds: -1, context_size: 1024, pin: true } });
  assert.equal(loaded.already_loaded, false);
  assert.equal(loaded.model.context_size, 1024);
  assert.equal(loaded.model.pinned, true);
  assert.equal(loaded.model.ttl_seconds, -1);
  assert.equal(loaded.model.state, "ready");
  const list = await unary<{ models: Record<string, unknown>[]; used_bytes: number; budget_bytes: number }>("ListLoadedModels", {});
  assert.equal(list.models.length, 1);
  assert.equal(list.models[0]!.memory_bytes, 90 * 1024 * 1024);
  assert.equal(list.models[0]!.estimated_memory_bytes, 100 * 1024 * 1024);
  assert.equal(list.used_bytes, 100 * 1024 * 1024);
  assert.equal(list.budget_bytes, 1000 * 1024 * 1024);
  const un = await unary<{ freed_bytes: number }>("UnloadModel", { model: "m" });
  assert.equal(un.freed_bytes, 90 * 1024 * 1024);
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor } from "../../src/grpc/client.js";
import { createEngine } from "../../src/inference/engine/engine.js";
import { DEFAULT_ENGINE } from "../../src/inference/runner/model-runner.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { engineGreedyText } from "./engine-text.js";
import { call, cortexCode, grpcCode, listModels, processAlive, stream } from "./inference-client.js";
import { eventually, sleep } from "./fake-pool.js";

const skip = tinyModelsUnavailable();
const greedy = (max: number) => ({ temperature: 0, max_tokens: max });

/** One real daemon (threads 1: a tiny model decodes fastest on one thread) serving tiny generated GGUFs. */
describe("inference pool through a real daemon", { skip }, () => {
  let d: RunningDaemon;
  let dir: string;
  let model: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join("/tmp", "cxi-"));
    const home = path.join(dir, "h");
    model = copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
    d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  });
  after(async () => {
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("just-in-time load on the first Generate; the second is hot; stats and ListLoadedModels tell estimate vs measured", async () => {
    const cold = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "the cat sat on the mat", sampling: greedy(24) });
    assert.equal(cold.stats.generated_tokens, 24);
    assert.equal(cold.stats.finish_reason, "length");
    assert.ok(cold.stats.load_ms > 0, "the cold request reports its load time");
    assert.ok(cold.stats.prompt_tokens >= 6);
    assert.ok(cold.stats.tokens_per_second > 0 && cold.stats.time_to_first_token_ms > 0);
    const hot = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "the cat sat on the mat", sampling: greedy(24) });
    assert.equal(hot.stats.load_ms, 0);
    assert.equal(hot.text, cold.text, "greedy decoding is deterministic");
    assert.ok(hot.stats.time_to_first_token_ms < cold.stats.time_to_first_token_ms);

    const { models, used_bytes } = await listModels(d.client);
    assert.equal(models.length, 1);
    const m = models[0]!;
    assert.equal(m.model, "tiny.gguf");
    assert.equal(m.path, fs.realpathSync(model));
    assert.equal(m.state, "ready");
    assert.ok(m.memory_bytes > 1_000_000, `measured ${m.memory_bytes}`);
    assert.ok(m.estimated_memory_bytes > 1_000_000, `estimated ${m.estimated_memory_bytes}`);
    assert.equal(used_bytes, Math.max(m.memory_bytes, m.estimated_memory_bytes));
    assert.ok(processAlive(m.runner_pid), "the model lives in its runner process");
    assert.notEqual(m.runner_pid, d.proc.pid);
    assert.equal(m.ttl_seconds, 300, "default keep-alive from the config");
    assert.ok(Date.parse(m.expires_at) > Date.now() + 290_000);
    assert.equal(m.requests_served, 2);
    const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
    assert.equal(status.memory!.used_bytes, used_bytes, "GetStatus shows the pool's memory in use");
  });

  test("the text streamed over gRPC is exactly the engine's own greedy text, to the last token", async () => {
    const over = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "the cat sat on the mat", sampling: { ...greedy(200), repeat_penalty: 1 } });
    assert.equal(over.stats.generated_tokens, 200);
    assert.ok(over.messages > 2, `several pieces (${over.messages} messages)`);
    const engine = await createEngine(DEFAULT_ENGINE, { threads: 1, gpu: false });
    try {
      assert.equal(over.text, await engineGreedyText(engine, { path: model, contextSize: 512, gpuLayers: 0, parallel: 1, threads: 1 }, "the cat sat on the mat", 200));
    } finally {
      await engine.dispose();
    }
  });

  test("Chat uses the GGUF's chat template and streams; a JSON schema constrains the output", async () => {
    const chat = await stream(d.client, "Chat", { model: "tiny.gguf", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }], sampling: greedy(16) });
    assert.equal(chat.stats.generated_tokens, 16);
    assert.ok(chat.stats.prompt_tokens > 10, "system + user message rendered through the template");
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
    const json = await stream(d.client, "Chat", { model: "tiny.gguf", messages: [{ role: "user", content: "answer in JSON" }], sampling: { ...greedy(64), json_schema: JSON.stringify(schema) } });
    const parsed = JSON.parse(json.text) as { ok: unknown };
    assert.equal(typeof parsed.ok, "boolean", json.text);
    assert.equal(json.stats.finish_reason, "stop");
  });

  test("stop sequences end the stream with finish_reason stop_sequence and the text before them", async () => {
    const free = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "one two three", sampling: greedy(40) });
    const word = free.text.trim().split(/\s+/).slice(2).find((w) => /^[A-Za-z]{3,}$/.test(w));
    assert.ok(word, free.text);
    const stopped = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "one two three", sampling: { ...greedy(40), stop: [word] } });
    assert.equal(stopped.stats.finish_reason, "stop_sequence");
    assert.ok(!stopped.text.includes(word));
    assert.ok(free.text.startsWith(stopped.text));
  });

  test("32 concurrent streams all complete (4 at a time per model, the rest queued)", async () => {
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => stream(d.client, "Generate", { model: "tiny.gguf", prompt: `stream number ${i}`, sampling: greedy(12) })));
    assert.equal(results.length, 32);
    for (const r of results) {
      assert.equal(r.stats.generated_tokens, 12);
      assert.equal(r.stats.finish_reason, "length");
    }
    assert.ok(results.some((r) => r.stats.queue_ms > 5), "some streams waited for a free sequence");
  });

  test("client cancel stops the generation at once (the model is free again within a few tokens' time)", async () => {
    let cancelledAt = 0;
    const err = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "go on forever", sampling: greedy(100_000) }, {
      onMessage: (_m, c) => {
        if (!cancelledAt) {
          cancelledAt = Date.now();
          c.cancel();
        }
      },
    }).catch((e: unknown) => e);
    assert.equal(grpcCode(err), grpc.status.CANCELLED);
    await eventually(async () => (await listModels(d.client)).models[0]?.active_requests === 0, 2000, "the cancelled request released its sequence");
    const freeAfter = Date.now() - cancelledAt;
    assert.ok(freeAfter < 1000, `free ${freeAfter} ms after the cancel`);
    // A deadline is a cancel too.
    const Ctor = clientConstructor("cortex.v1.InferenceService");
    const raw = new Ctor(`unix://${d.socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, Function>;
    const deadline = await new Promise<unknown>((resolve) => {
      const s = raw.Generate!({ model: "tiny.gguf", prompt: "until the deadline", sampling: greedy(100_000) }, { deadline: Date.now() + 300 }) as grpc.ClientReadableStream<unknown>;
      s.on("data", () => undefined);
      s.on("error", resolve);
    });
    raw.close();
    assert.equal(grpcCode(deadline), grpc.status.DEADLINE_EXCEEDED);
    await eventually(async () => (await listModels(d.client)).models[0]?.active_requests === 0, 2000, "released after the deadline");
  });

  test("Embed embeds a batch: one vector per input", async () => {
    const r = await call(d.client, "Embed", { model: "tiny.gguf", inputs: ["hello world", "the cat sat", "a third input"] });
    assert.equal(r.embeddings.length, 3);
    for (const e of r.embeddings) assert.equal(e.values.length, 64);
    assert.notDeepEqual(r.embeddings[0]!.values, r.embeddings[1]!.values);
    assert.ok(r.prompt_tokens >= 6);
    await assert.rejects(call(d.client, "Embed", { model: "tiny.gguf", inputs: [] }), (e: Error) => /inputs is empty/.test(e.message));
  });

  test("a broken GGUF is refused by validation; one llama.cpp cannot load fails with its reason while another model keeps generating", async () => {
    const home = d.home;
    const truncated = path.join(home, "models", "truncated.gguf");
    fs.writeFileSync(truncated, fs.readFileSync(model).subarray(0, 50_000));
    const bad = await stream(d.client, "Generate", { model: "truncated.gguf", prompt: "x" }).catch((e: unknown) => e);
    assert.equal(grpcCode(bad), grpc.status.INVALID_ARGUMENT);
    assert.equal(cortexCode(bad), "FMT_INVALID");
    assert.match((bad as Error).message, /truncated\.gguf/);

    copyModel(tinyModel({ variant: "zero-kv-heads" }), path.join(home, "models"), "crash.gguf");
    const streaming = stream(d.client, "Generate", { model: "tiny.gguf", prompt: "keep going while another model crashes", sampling: greedy(400) });
    const crash = await stream(d.client, "Generate", { model: "crash.gguf", prompt: "x" }).catch((e: unknown) => e);
    assert.equal(grpcCode(crash), grpc.status.FAILED_PRECONDITION, String(crash));
    assert.equal(cortexCode(crash), "INF_LOAD_FAILED");
    // node-llama-cpp's load path hit a GGML_ASSERT (abort) on this file; llama_model_load_from_file refuses it.
    assert.match((crash as Error).message, /crash\.gguf: llama\.cpp could not load the model \(llama\.cpp: .*wrong shape/);
    assert.equal((await streaming).stats.generated_tokens, 400, "the other model kept generating");
    const status = await d.client.unary("cortex.v1.ModelService", "GetStatus", {});
    assert.equal(status.pid, d.proc.pid, "the daemon is alive");
    assert.deepEqual((await listModels(d.client)).models.map((m) => m.model), ["tiny.gguf"]);
  });

  test("a runner killed mid-stream fails that stream with UNAVAILABLE; the next request loads the model again", async () => {
    const pid = (await listModels(d.client)).models[0]!.runner_pid;
    let killed = false;
    const err = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "about to die", sampling: greedy(100_000) }, {
      onMessage: () => {
        if (!killed) {
          killed = true;
          process.kill(pid, "SIGKILL");
        }
      },
    }).catch((e: unknown) => e);
    assert.equal(grpcCode(err), grpc.status.UNAVAILABLE, String(err));
    assert.equal(cortexCode(err), "INF_RUNNER_CRASHED");
    assert.match((err as Error).message, /died: signal SIGKILL/);
    const again = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "back again", sampling: greedy(4) });
    assert.ok(again.stats.load_ms > 0, "reloaded");
    assert.notEqual((await listModels(d.client)).models[0]!.runner_pid, pid);
  });

  test("keep-alive: a request's ttl 1 s unloads the model after 1 s and its runner exits; UnloadModel returns measured memory", async () => {
    const other = copyModel(model, path.join(d.home, "models"), "ttl.gguf");
    void other;
    await stream(d.client, "Generate", { model: "ttl.gguf", prompt: "short life", sampling: greedy(2), load: { ttl_seconds: 1 } });
    const m = (await listModels(d.client)).models.find((x) => x.model === "ttl.gguf")!;
    assert.equal(m.ttl_seconds, 1);
    await eventually(async () => !(await listModels(d.client)).models.some((x) => x.model === "ttl.gguf"), 4000, "ttl.gguf expired");
    await eventually(() => !processAlive(m.runner_pid), 2000, "its runner exited");

    const before = (await listModels(d.client)).models.find((x) => x.model === "tiny.gguf")!;
    const r = await call(d.client, "UnloadModel", { model: "tiny.gguf" });
    assert.ok(r.freed_bytes >= before.memory_bytes * 0.9, `freed ${r.freed_bytes}, held ${before.memory_bytes}`);
    assert.ok(!processAlive(before.runner_pid), "the runner process is gone: its memory is returned");
    assert.equal((await listModels(d.client)).used_bytes, 0);
    await assert.rejects(call(d.client, "UnloadModel", { model: "tiny.gguf" }), (e: Error) => /"tiny\.gguf" is not loaded/.test(e.message));
  });

  test("CLI: cortex load, ps, run, embed, unload", async () => {
    const cli = (...args: string[]) => runCli(["--home", d.home, ...args]);
    const load = await cli("load", model, "--ttl", "-1", "--ctx", "512");
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, /loaded .*tiny\.gguf in [\d.]+s: .* measured, .* estimated; context 512 × 4/);
    const ps = await cli("ps");
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /NAME +SIZE +ESTIMATE/);
    assert.match(ps.stdout, /tiny\.gguf .* 512×4 .* forever/);
    const run = await cli("run", model, "hello", "there", "--max-tokens", "8", "--temperature", "0", "--verbose");
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.trim().length > 0);
    assert.match(run.stderr, /output tokens: +8 \(length\)/);
    const emb = await cli("embed", model, "one", "two");
    assert.equal(emb.code, 0, emb.stderr);
    const lines = emb.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.equal((JSON.parse(lines[0]!) as number[]).length, 64);
    const unload = await cli("unload", model);
    assert.equal(unload.code, 0, unload.stderr);
    assert.match(unload.stdout, /freed [\d.]+ MiB/);
    const missing = await cli("run", "nope.gguf", "hi");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND: model "nope\.gguf" not found/);
  });

  test("shutdown with a loaded model: the daemon exits 0 and its runners with it", async () => {
    await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "last words", sampling: greedy(2) });
    const pid = (await listModels(d.client)).models[0]!.runner_pid;
    assert.equal(await d.stop(), 0);
    await eventually(() => !processAlive(pid), 3000, "runner gone after shutdown");
  });
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Ollama } from "ollama";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { LoopbackHub } from "../hub/loopback-hub.js";
import { eventually } from "../inference/fake-pool.js";
import { listModels, stream } from "../inference/inference-client.js";
import { rawRequest, startHttpDaemon, type HttpDaemon } from "./http-daemon.js";

const skip = tinyModelsUnavailable();
const greedy = { temperature: 0, repeat_penalty: 1 };

/** The official ollama npm client against a real daemon (tiny GGUFs; a loopback Hub to pull from). */
describe("Ollama-compatible API with the ollama client", { skip }, () => {
  let h: HttpDaemon;
  let hub: LoopbackHub;
  let dir: string;
  let ollama: Ollama;
  before(async () => {
    dir = fs.mkdtempSync(path.join("/tmp", "cxl-"));
    const home = path.join(dir, "h");
    copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
    copyModel(tinyModel({ chatTemplate: "qwen-tools" }), path.join(home, "models"), "tools.gguf");
    hub = await LoopbackHub.start({ "org/pulled": { files: { "README.md": { data: Buffer.from("# tiny\n") }, "tiny.Q8_0.gguf": { data: fs.readFileSync(tinyModel({ seed: 5 })), lfs: true } } } });
    h = await startHttpDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hub"), HF_TOKEN: "" } });
    ollama = new Ollama({ host: h.url, headers: { Authorization: `Bearer ${h.token}` } });
  });
  after(async () => {
    await h?.d.stop();
    await hub?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("root and version answer without a token; tags list the store with details", async () => {
    const root = await rawRequest(h.url, { path: "/" });
    assert.equal(root.status, 200);
    assert.equal(root.body, "cortexd is running");
    assert.match((await ollama.version()).version, /^\d+\.\d+\.\d+/);
    const tags = await ollama.list();
    const tiny = tags.models.find((m) => m.name.startsWith("tiny"));
    assert.ok(tiny, `tags: ${tags.models.map((m) => m.name).join(", ")}`);
    assert.equal(tiny.details.format, "gguf");
    assert.equal(tiny.details.family, "llama");
    assert.match(tiny.details.parameter_size, /^\d+(\.\d+)?[KMB]$/);
    assert.ok(tiny.details.quantization_level.length > 0);
    assert.ok(tiny.size > 0);
    assert.match(tiny.digest, /^[0-9a-f]{64}$/);
    const shown = await ollama.show({ model: tiny.name });
    assert.equal(shown.details.family, "llama");
    assert.match(shown.parameters, /num_ctx \d+/);
    await assert.rejects(ollama.show({ model: "ghost" }), (e: Error & { status_code?: number }) => e.status_code === 404 && /ghost/.test(e.message));
  });

  test("chat streams NDJSON and equals the whole answer and gRPC Chat's; the last line has the counts in ns", async () => {
    const messages = [{ role: "user", content: "hello there" }];
    const whole = await ollama.chat({ model: "tiny.gguf", messages, options: { ...greedy, num_predict: 20 }, stream: false });
    assert.equal(whole.done, true);
    assert.equal(whole.done_reason, "length");
    assert.equal(whole.eval_count, 20);
    assert.ok(whole.prompt_eval_count > 3);
    assert.ok(whole.total_duration > 1e6 && whole.eval_duration > 0 && whole.total_duration >= whole.eval_duration, "nanoseconds");
    let text = "";
    let lines = 0;
    let final: { done: boolean; eval_count: number } | undefined;
    for await (const part of await ollama.chat({ model: "tiny.gguf", messages, options: { ...greedy, num_predict: 20 }, stream: true })) {
      lines++;
      text += part.message.content;
      if (part.done) final = part;
    }
    // Pieces are batched by the runner's stream interval: on a fast engine 20 tokens can come as one piece, so
    // what is certain is a content line before the final line (the text equality above proves the content).
    assert.ok(lines >= 2, `${lines} lines`);
    assert.equal(text, whole.message.content);
    assert.equal(final!.eval_count, 20);
    const g = await stream(h.d.client, "Chat", { model: "tiny.gguf", messages, sampling: { temperature: 0, repeat_penalty: 1, max_tokens: 20 } });
    assert.equal(g.text, text);
  });

  test("generate: templated by default, raw as a completion; format json; unknown options refused by name", async () => {
    const raw = await ollama.generate({ model: "tiny.gguf", prompt: "the cat sat on the mat", raw: true, options: { ...greedy, num_predict: 16 }, stream: false });
    const g = await stream(h.d.client, "Generate", { model: "tiny.gguf", prompt: "the cat sat on the mat", sampling: { temperature: 0, repeat_penalty: 1, max_tokens: 16 } });
    assert.equal(raw.response, g.text, "raw: the prompt as it is");
    const templated = await ollama.generate({ model: "tiny.gguf", prompt: "the cat sat on the mat", options: { ...greedy, num_predict: 16 }, stream: false });
    assert.ok(templated.prompt_eval_count > raw.prompt_eval_count, "the template wraps the prompt");
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
    const j = await ollama.generate({ model: "tiny.gguf", prompt: "JSON", format: schema, options: { temperature: 0, num_predict: 48 }, stream: false });
    assert.equal(typeof (JSON.parse(j.response!) as { ok: unknown }).ok, "boolean");
    await assert.rejects(ollama.generate({ model: "tiny.gguf", prompt: "x", options: { mirostat: 2 } as never, stream: false }), (e: Error & { status_code?: number }) => e.status_code === 400 && /options\.mirostat/.test(e.message));
  });

  test("ps shows the loaded model; keep_alive 0 on an empty request unloads it, an empty request loads it", async () => {
    await ollama.generate({ model: "tiny.gguf", prompt: "", keep_alive: "10m" });
    const ps = await ollama.ps();
    const m = ps.models.find((x) => x.name === "tiny.gguf");
    assert.ok(m, JSON.stringify(ps));
    assert.ok(m.size > 1_000_000);
    assert.ok(Date.parse(m.expires_at as unknown as string) > Date.now() + 500_000, "keep_alive 10m");
    assert.equal((m as unknown as { context_length: number }).context_length > 0, true);
    const unloaded = await ollama.generate({ model: "tiny.gguf", prompt: "", keep_alive: 0 });
    assert.equal(unloaded.done_reason, "unload");
    await eventually(async () => (await listModels(h.d.client)).models.every((x) => x.model !== "tiny.gguf"), 10_000, "unloaded");
    const loaded = await ollama.chat({ model: "tiny.gguf", messages: [] });
    assert.equal(loaded.done_reason, "load");
    assert.ok((await ollama.ps()).models.some((x) => x.name === "tiny.gguf"));
  });

  test("embed: unit vectors for a batch", async () => {
    const e = await ollama.embed({ model: "tiny.gguf", input: ["hello", "world"] });
    assert.equal(e.embeddings.length, 2);
    const norm = Math.hypot(...e.embeddings[0]!);
    assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
    assert.ok(e.prompt_eval_count > 1);
  });

  test("pull from the loopback Hub streams progress lines to success; the model runs; delete removes it", async () => {
    const statuses: string[] = [];
    let sawBytes = false;
    for await (const p of await ollama.pull({ model: "hf.co/org/pulled:Q8_0", stream: true })) {
      statuses.push(p.status);
      if (p.total && p.completed !== undefined) sawBytes = true;
    }
    assert.equal(statuses[0], "pulling manifest");
    assert.equal(statuses.at(-1), "success");
    assert.ok(sawBytes || statuses.length >= 4, statuses.join(" | "));
    const tags = await ollama.list();
    const pulled = tags.models.find((m) => m.name.startsWith("org/pulled"));
    assert.ok(pulled, tags.models.map((m) => m.name).join(", "));
    const r = await ollama.generate({ model: pulled.name, prompt: "hi", raw: true, options: { num_predict: 3 }, stream: false });
    assert.equal(r.eval_count, 3);
    await ollama.generate({ model: pulled.name, prompt: "", keep_alive: 0 });
    await eventually(async () => (await listModels(h.d.client)).models.length <= 1, 10_000, "unloaded");
    await ollama.delete({ model: pulled.name });
    assert.ok(!(await ollama.list()).models.some((m) => m.name.startsWith("org/pulled")));
    await assert.rejects(ollama.delete({ model: "ghost" }), (e: Error & { status_code?: number }) => e.status_code === 404);
  });

  test("chat with tools: a call in the template's syntax would come back as tool_calls with object arguments; results render", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", description: "weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
    const first = await ollama.chat({ model: "tools.gguf", messages: [{ role: "user", content: "weather in Paris?" }], tools, options: { temperature: 0, num_predict: 8 }, stream: false });
    assert.equal(first.done, true);
    const history = [
      { role: "user", content: "weather in Paris?" },
      { role: "assistant", content: "", tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }] },
      { role: "tool", content: '{"temperature_c": 21}', tool_name: "get_weather" },
    ];
    const back = await ollama.chat({ model: "tools.gguf", messages: history, tools, options: { temperature: 0, num_predict: 4 }, stream: false });
    assert.ok(back.prompt_eval_count > first.prompt_eval_count + 15, `${back.prompt_eval_count} vs ${first.prompt_eval_count}`);
    await assert.rejects(ollama.chat({ model: "tiny.gguf", messages: [{ role: "user", content: "x" }], tools, stream: false }), (e: Error & { status_code?: number }) => e.status_code === 400 && /tool support/.test(e.message));
  });

  test("raw NDJSON framing and the token requirement", async () => {
    const r = await rawRequest(h.url, { path: "/api/generate", headers: { authorization: `Bearer ${h.token}` }, body: { model: "tiny.gguf", prompt: "hi", raw: true, options: { num_predict: 4 } } });
    assert.equal(r.status, 200);
    assert.match(r.headers["content-type"]!, /application\/x-ndjson/);
    const lines = r.body.split("\n");
    assert.equal(lines.pop(), "", "every line ends with a newline");
    const objs = lines.map((l) => JSON.parse(l) as { done: boolean });
    assert.ok(objs.slice(0, -1).every((o) => o.done === false));
    assert.equal(objs.at(-1)!.done, true);
    const anon = await rawRequest(h.url, { path: "/api/tags" });
    assert.equal(anon.status, 401);
    assert.match((JSON.parse(anon.body) as { error: string }).error, /bearer token/);
  });
});

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { eventually } from "../inference/fake-pool.js";
import { listModels, stream } from "../inference/inference-client.js";
import { runDaemonToExit } from "../helpers/daemon.js";
import { rawRequest, startHttpDaemon, type HttpDaemon } from "./http-daemon.js";

const skip = tinyModelsUnavailable();
const greedy = { temperature: 0, repeat_penalty: 1 } as const;

/** The official openai SDK against a real daemon serving a tiny generated GGUF (chatml template). */
describe("OpenAI-compatible API with the openai SDK", { skip }, () => {
  let h: HttpDaemon;
  let dir: string;
  let client: OpenAI;
  before(async () => {
    dir = fs.mkdtempSync(path.join("/tmp", "cxo-"));
    const home = path.join(dir, "h");
    copyModel(tinyModel(), path.join(home, "models"), "tiny.gguf");
    copyModel(tinyModel({ chatTemplate: "qwen-tools" }), path.join(home, "models"), "tools.gguf");
    h = await startHttpDaemon(home, { env: { CORTEX_HTTP_ORIGINS: "http://localhost:3000, http://127.0.0.1:8080" } });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.token, maxRetries: 0 });
  });
  after(async () => {
    await h?.d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("models.list shows the store's runnable models; retrieve finds one, a missing one is NotFoundError", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    assert.ok(ids.length >= 1, `models: ${ids.join(", ")}`);
    const id = ids.find((x) => x.startsWith("tiny"))!;
    assert.ok(id, `the tiny model is listed: ${ids.join(", ")}`);
    assert.equal(page.data[0]!.object, "model");
    assert.equal((await client.models.retrieve(id)).id, id);
    await assert.rejects(client.models.retrieve("no-such-model"), (e) => e instanceof OpenAI.NotFoundError && /no-such-model/.test(e.message));
  });

  test("chat: the whole answer equals the streamed one and gRPC Chat's, with usage and finish_reason", async () => {
    const messages = [{ role: "system" as const, content: "be brief" }, { role: "user" as const, content: "hello there" }];
    const whole = await client.chat.completions.create({ model: "tiny.gguf", messages, max_tokens: 24, ...greedy } as never) as OpenAI.Chat.ChatCompletion;
    assert.equal(whole.object, "chat.completion");
    assert.equal(whole.choices[0]!.message.role, "assistant");
    assert.equal(whole.usage!.completion_tokens, 24);
    assert.equal(whole.choices[0]!.finish_reason, "length");
    assert.ok(whole.usage!.prompt_tokens > 10);
    assert.equal(whole.usage!.total_tokens, whole.usage!.prompt_tokens + 24);

    const s = await client.chat.completions.create({ model: "tiny.gguf", messages, max_tokens: 24, stream: true, stream_options: { include_usage: true }, ...greedy } as never) as unknown as AsyncIterable<OpenAI.Chat.ChatCompletionChunk>;
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    let roleFirst: string | undefined;
    for await (const c of s) {
      chunks++;
      if (c.choices.length === 0) {
        usage = c.usage;
        continue;
      }
      roleFirst ??= c.choices[0]!.delta.role;
      text += c.choices[0]!.delta.content ?? "";
      finish = c.choices[0]!.finish_reason ?? finish;
    }
    assert.equal(roleFirst, "assistant");
    assert.equal(text, whole.choices[0]!.message.content, "greedy: streamed = whole");
    assert.equal(finish, "length");
    assert.deepEqual(usage, whole.usage, "include_usage: a last chunk with no choices carries the usage");
    assert.ok(chunks > 3);

    const grpcChat = await stream(h.d.client, "Chat", { model: "tiny.gguf", messages, sampling: { temperature: 0, repeat_penalty: 1, max_tokens: 24 } });
    assert.equal(grpcChat.text, text, "the same pool answers both APIs");
  });

  test("text completions stream and not, equal to gRPC Generate; stop strings end with finish_reason stop", async () => {
    const prompt = "the cat sat on the mat";
    const whole = await client.completions.create({ model: "tiny.gguf", prompt, max_tokens: 20, ...greedy } as never) as OpenAI.Completion;
    assert.equal(whole.usage!.completion_tokens, 20);
    let streamed = "";
    for await (const c of await client.completions.create({ model: "tiny.gguf", prompt, max_tokens: 20, stream: true, ...greedy } as never) as unknown as AsyncIterable<OpenAI.Completion>) streamed += c.choices[0]?.text ?? "";
    assert.equal(streamed, whole.choices[0]!.text);
    const g = await stream(h.d.client, "Generate", { model: "tiny.gguf", prompt, sampling: { temperature: 0, repeat_penalty: 1, max_tokens: 20 } });
    assert.equal(g.text, streamed);
    const word = whole.choices[0]!.text.trim().split(/\s+/)[1];
    if (word) {
      const stopped = await client.completions.create({ model: "tiny.gguf", prompt, max_tokens: 20, stop: [word], ...greedy } as never) as OpenAI.Completion;
      assert.equal(stopped.choices[0]!.finish_reason, "stop");
      assert.ok(!stopped.choices[0]!.text.includes(word), "the stop string ends the text");
    }
  });

  test("response_format json_schema: the content parses and follows the schema", async () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" }, n: { type: "integer" } }, required: ["ok", "n"], additionalProperties: false };
    const r = await client.chat.completions.create({ model: "tiny.gguf", messages: [{ role: "user", content: "answer in JSON" }], max_tokens: 64, temperature: 0, response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } } });
    const v = JSON.parse(r.choices[0]!.message.content!) as { ok: unknown; n: unknown };
    assert.equal(typeof v.ok, "boolean");
    assert.ok(Number.isInteger(v.n));
    const o = await client.chat.completions.create({ model: "tiny.gguf", messages: [{ role: "user", content: "JSON please" }], max_tokens: 48, temperature: 0, response_format: { type: "json_object" } });
    if (o.choices[0]!.finish_reason === "stop") assert.equal(typeof JSON.parse(o.choices[0]!.message.content!), "object");
  });

  test("embeddings: a string and an array; the SDK's base64 and float encodings agree", async () => {
    const one = await client.embeddings.create({ model: "tiny.gguf", input: "hello" });
    assert.equal(one.data.length, 1);
    assert.ok(one.data[0]!.embedding.length === 64, `dimensions ${one.data[0]!.embedding.length}`);
    const many = await client.embeddings.create({ model: "tiny.gguf", input: ["hello", "a different text"], encoding_format: "float" });
    assert.equal(many.data.length, 2);
    assert.deepEqual(many.data.map((d) => d.index), [0, 1]);
    for (const [i, x] of one.data[0]!.embedding.entries()) assert.ok(Math.abs(x - many.data[0]!.embedding[i]!) < 1e-6);
    assert.notDeepEqual(many.data[0]!.embedding, many.data[1]!.embedding);
    assert.ok(many.usage.prompt_tokens > 2);
  });

  test("errors arrive as the SDK's classes: 400 naming the param, 404 naming the model, 401 for a wrong key", async () => {
    await assert.rejects(client.chat.completions.create({ model: "tiny.gguf", messages: [{ role: "user", content: "x" }], n: 2 }), (e) => e instanceof OpenAI.BadRequestError && e.param === "n" && /n is not supported/.test(e.message));
    await assert.rejects(client.chat.completions.create({ model: "tiny.gguf", messages: [] }), (e) => e instanceof OpenAI.BadRequestError && e.param === "messages");
    await assert.rejects(client.chat.completions.create({ model: "ghost-model", messages: [{ role: "user", content: "x" }] }), (e) => e instanceof OpenAI.NotFoundError && /ghost-model/.test(e.message));
    await assert.rejects(client.chat.completions.create({ model: "ghost-model", messages: [{ role: "user", content: "x" }], stream: true }), (e) => e instanceof OpenAI.NotFoundError, "a stream that cannot start is an ordinary error");
    const wrong = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: "not-the-token", maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  });

  test("breaking out of the SDK's stream cancels the generation within moments, not after max_tokens", async () => {
    const body = { model: "tiny.gguf", prompt: "once upon a time", max_tokens: 1500, temperature: 0.9, seed: 3 };
    const t0 = performance.now();
    const full = await client.completions.create(body as never) as OpenAI.Completion;
    const fullMs = performance.now() - t0;
    assert.equal(full.usage!.completion_tokens, 1500);
    const s = await client.completions.create({ ...body, stream: true } as never) as unknown as AsyncIterable<OpenAI.Completion>;
    const t1 = performance.now();
    let n = 0;
    for await (const _ of s) if (++n >= 3) break;
    await eventually(async () => (await listModels(h.d.client)).models.every((m) => m.active_requests === 0), 30_000, "the request ends");
    const cancelMs = performance.now() - t1;
    assert.ok(cancelMs < fullMs / 2, `cancelled after ${cancelMs.toFixed(0)} ms; a full run takes ${fullMs.toFixed(0)} ms`);
  });

  test("tools: a required call comes back as tool_calls (streamed and not), its result goes back, a template without tools is refused", async () => {
    const tools = [
      { type: "function" as const, function: { name: "get_weather", description: "weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
      { type: "function" as const, function: { name: "add", parameters: { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } }, required: ["a", "b"] } } },
    ];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Paris?" }];
    const r = await client.chat.completions.create({ model: "tools.gguf", messages, tools, tool_choice: "required", max_tokens: 96, temperature: 0 });
    const choice = r.choices[0]!;
    assert.equal(choice.finish_reason, "tool_calls");
    const call = choice.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.ok(["get_weather", "add"].includes(call.function.name));
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    if (call.function.name === "add") assert.ok(Number.isInteger(args.a) && Number.isInteger(args.b));
    else assert.equal(typeof args.city, "string");
    assert.match(call.id, /^call_/);

    const named = await client.chat.completions.create({ model: "tools.gguf", messages, tools, tool_choice: { type: "function", function: { name: "add" } }, max_tokens: 96, temperature: 0, stream: true });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const c of named) {
      deltas.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, "tool_calls");
    assert.equal(deltas[0]!.function!.name, "add");
    assert.equal(deltas[0]!.index, 0);
    const streamedArgs = JSON.parse(deltas.filter((d) => d.index === 0).map((d) => d.function?.arguments ?? "").join("")) as { a: unknown; b: unknown };
    assert.ok(Number.isInteger(streamedArgs.a) && Number.isInteger(streamedArgs.b));

    const without = await client.chat.completions.create({ model: "tools.gguf", messages, max_tokens: 4, temperature: 0 });
    const back = await client.chat.completions.create({
      model: "tools.gguf",
      messages: [...messages, choice.message as OpenAI.Chat.ChatCompletionMessageParam, { role: "tool", tool_call_id: call.id, content: '{"temperature_c": 21}' }],
      tools,
      max_tokens: 4,
      temperature: 0,
    });
    assert.ok(back.usage!.prompt_tokens > without.usage!.prompt_tokens + 20, `the call and its result are rendered (${back.usage!.prompt_tokens} vs ${without.usage!.prompt_tokens} prompt tokens)`);
    await assert.rejects(
      client.chat.completions.create({ model: "tiny.gguf", messages, tools, tool_choice: "required" }),
      (e) => e instanceof OpenAI.BadRequestError && (e.code as string) === "INF_NO_TOOLS" && /tiny\.gguf/.test(e.message),
    );
    await assert.rejects(client.chat.completions.create({ model: "tools.gguf", messages, tools, tool_choice: { type: "function", function: { name: "nope" } } }), (e) => e instanceof OpenAI.BadRequestError && e.param === "tool_choice");
  });

  test("raw SSE framing: data lines, blank-line separated, [DONE] last; text/event-stream", async () => {
    const r = await rawRequest(h.url, { path: "/v1/chat/completions", headers: { authorization: `Bearer ${h.token}` }, body: { model: "tiny.gguf", messages: [{ role: "user", content: "hi" }], max_tokens: 5, stream: true, temperature: 0 } });
    assert.equal(r.status, 200);
    assert.match(r.headers["content-type"]!, /^text\/event-stream/);
    assert.ok(r.body.endsWith("data: [DONE]\n\n"));
    const events = r.body.split("\n\n").filter(Boolean);
    for (const e of events) assert.match(e, /^data: /);
    const payloads = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { object: string; choices: { finish_reason: string | null }[] });
    assert.ok(payloads.every((p) => p.object === "chat.completion.chunk"));
    assert.equal(payloads.at(-1)!.choices[0]!.finish_reason, "length");
  });

  test("Host, Origin and token refusals", async () => {
    const auth = { authorization: `Bearer ${h.token}` };
    const rebind = await rawRequest(h.url, { path: "/v1/models", headers: { ...auth, host: "evil.example.com" } });
    assert.equal(rebind.status, 403);
    assert.match(rebind.body, /evil\.example\.com/);
    assert.equal((await rawRequest(h.url, { path: "/v1/models", headers: { ...auth, host: "localhost:1234" } })).status, 200);
    const origin = await rawRequest(h.url, { path: "/v1/models", headers: { ...auth, origin: "http://evil.example.com" } });
    assert.equal(origin.status, 403);
    assert.equal(origin.headers["access-control-allow-origin"], undefined);
    const allowed = await rawRequest(h.url, { path: "/v1/models", headers: { ...auth, origin: "http://localhost:3000" } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers["access-control-allow-origin"], "http://localhost:3000");
    const preflight = await rawRequest(h.url, { method: "OPTIONS", path: "/v1/chat/completions", headers: { origin: "http://127.0.0.1:8080", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "http://127.0.0.1:8080");
    assert.match(String(preflight.headers["access-control-allow-headers"]), /authorization/);
    const none = await rawRequest(h.url, { path: "/v1/models" });
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { error: { code: string } }).error.code, "REQ_UNAUTHENTICATED");
  });
});

test("--http-no-auth is refused for an address that is not loopback", { skip }, async () => {
  const dir = fs.mkdtempSync(path.join("/tmp", "cxn-"));
  try {
    const r = await runDaemonToExit(path.join(dir, "h"), ["--http", "0.0.0.0:0", "--http-no-auth"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /httpNoAuth is accepted only for a loopback/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

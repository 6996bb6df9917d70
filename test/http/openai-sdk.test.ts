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
    // No waiting room: a request that finds every sequence busy is refused at once (429), as a full queue is.
    h = await startHttpDaemon(home, { env: { CORTEX_HTTP_ORIGINS: "http://localhost:3000, http://127.0.0.1:8080", CORTEX_MAX_QUEUE: "0" } });
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
    const penalised = await client.chat.completions.create({ model: "tiny.gguf", messages: [{ role: "user", content: "x" }], max_tokens: 4, frequency_penalty: 0.5, presence_penalty: 0.5 });
    assert.equal(penalised.usage!.completion_tokens, 4, "frequency and presence penalties are applied, not refused");
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
    if (call.function.name === "add") assert.ok("a" in args && "b" in args, call.function.arguments);
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
    // The grammar admits only integers (a random model may write one too large for a double: null then).
    const streamedArgs = JSON.parse(deltas.filter((d) => d.index === 0).map((d) => d.function?.arguments ?? "").join("")) as { a: unknown; b: unknown };
    assert.ok("a" in streamedArgs && "b" in streamedArgs);

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

  test("responses (stateless): output_text equals the streamed deltas; a required function call round-trips", async () => {
    const whole = await client.responses.create({ model: "tiny.gguf", input: "hello there", instructions: "be brief", max_output_tokens: 16, temperature: 0 });
    assert.equal(whole.object, "response");
    assert.equal(whole.status, "incomplete");
    assert.equal(whole.usage!.output_tokens, 16);
    assert.ok(whole.output_text.length > 0);
    const events: string[] = [];
    let streamed = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const e of await client.responses.create({ model: "tiny.gguf", input: "hello there", instructions: "be brief", max_output_tokens: 16, temperature: 0, stream: true })) {
      events.push(e.type);
      if (e.type === "response.output_text.delta") streamed += e.delta;
      if (e.type === "response.incomplete" || e.type === "response.completed") completed = e.response;
    }
    assert.equal(streamed, whole.output_text);
    assert.deepEqual(events.slice(0, 4), ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    assert.equal(events.at(-1), "response.incomplete");
    assert.equal(completed!.usage!.output_tokens, 16);

    const tools = [{ type: "function" as const, name: "pick", description: "pick one", strict: true, parameters: { type: "object", properties: { choice: { enum: ["x", "y"] } }, required: ["choice"], additionalProperties: false } }];
    const called = await client.responses.create({ model: "tools.gguf", input: "pick one", tools, tool_choice: "required", max_output_tokens: 64, temperature: 0 });
    const call = called.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    assert.ok(call, JSON.stringify(called.output));
    assert.ok(["x", "y"].includes((JSON.parse(call.arguments) as { choice: string }).choice));
    const back = await client.responses.create({ model: "tools.gguf", input: [{ role: "user", content: "pick one" }, { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: "function_call_output", call_id: call.call_id, output: "picked" }], tools, max_output_tokens: 2, temperature: 0 });
    assert.ok(back.usage!.input_tokens > called.usage!.input_tokens + 5, "the call and its output are rendered");
    await assert.rejects(client.responses.create({ model: "tiny.gguf", input: "x", previous_response_id: "resp_1" }), (e) => e instanceof OpenAI.BadRequestError && e.param === "previous_response_id");
  });

  test("a full queue is 429 with Retry-After (the SDK's RateLimitError); the busy streams then cancel", async () => {
    const parallel = (await listModels(h.d.client)).models.find((m) => m.model === "tiny.gguf")!.parallel;
    const body = { model: "tiny.gguf", prompt: "once upon a time", max_tokens: 3000, temperature: 0.9, stream: true } as const;
    const streams = await Promise.all(Array.from({ length: parallel }, () => client.completions.create(body as never) as unknown as Promise<AsyncIterable<OpenAI.Completion> & { controller: AbortController }>));
    const iters = streams.map((st) => st[Symbol.asyncIterator]());
    await Promise.all(iters.map((it) => it.next()));
    const err = await client.completions.create({ model: "tiny.gguf", prompt: "x", max_tokens: 2 }).then(() => undefined, (e: unknown) => e);
    for (const st of streams) st.controller.abort();
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    assert.equal(err.headers.get("retry-after"), "1");
    assert.equal((err.error as { code?: string } | undefined)?.code ?? err.code, "INF_BUSY");
    await eventually(async () => (await listModels(h.d.client)).models.every((m) => m.active_requests === 0), 30_000, "the streams end");
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

  test("gRPC Chat takes the same tools: a forced call streams as tool_calls with finish_reason tool_calls", async () => {
    const tools = [{ name: "add", description: "adds", parameters_json: JSON.stringify({ type: "object", properties: { op: { enum: ["add", "sub"] }, exact: { type: "boolean" } }, required: ["op", "exact"] }) }];
    const calls: { id: string; name: string; arguments_json: string }[] = [];
    const r = await stream(h.d.client, "Chat", { model: "tools.gguf", messages: [{ role: "user", content: "1+2?" }], tools, tool_choice: "add", sampling: { temperature: 0, max_tokens: 96 } }, {
      onMessage: (m) => calls.push(...(((m as { tool_calls?: typeof calls }).tool_calls) ?? [])),
    });
    assert.equal(r.stats.finish_reason, "tool_calls");
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.name, "add");
    const args = JSON.parse(calls[0]!.arguments_json) as { op: unknown; exact: unknown };
    assert.ok(["add", "sub"].includes(args.op as string) && typeof args.exact === "boolean", calls[0]!.arguments_json);
    const back = await stream(h.d.client, "Chat", {
      model: "tools.gguf",
      messages: [{ role: "user", content: "1+2?" }, { role: "assistant", content: "", tool_calls: calls }, { role: "tool", content: "3", tool_call_id: calls[0]!.id }],
      tools,
      sampling: { temperature: 0, max_tokens: 2 },
    });
    assert.ok(back.stats.prompt_tokens > r.stats.prompt_tokens + 10, "the call and its result are rendered");
    await assert.rejects(stream(h.d.client, "Chat", { model: "tiny.gguf", messages: [{ role: "user", content: "x" }], tools, sampling: { max_tokens: 2 } }), /FAILED_PRECONDITION.*tool support/);
  });

  test("GET /metrics scrapes (prom-client text, no prompt text); gRPC GetStats returns the same families", async () => {
    const r = await rawRequest(h.url, { path: "/metrics", headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(r.status, 200);
    assert.match(r.headers["content-type"]!, /^text\/plain/);
    const m = r.body;
    assert.match(m, /cortex_requests_total\{api="openai",endpoint="\/v1\/chat\/completions",model="tiny\.gguf",outcome="ok"\} \d+/);
    assert.match(m, /cortex_requests_total\{api="openai",endpoint="\/v1\/chat\/completions",model="",outcome="REG_NOT_FOUND"\} [1-9]/);
    assert.match(m, /cortex_request_errors_total\{api="openai",endpoint="\/v1\/chat\/completions",model="tiny\.gguf",code="REQ_INVALID_ARGUMENT"\} [1-9]/);
    assert.match(m, /cortex_requests_total\{api="grpc",endpoint="Chat",model="tools\.gguf",outcome="ok"\} [1-9]/);
    assert.match(m, /cortex_generated_tokens_total\{model="tiny\.gguf"\} [1-9]/);
    assert.match(m, /cortex_prompt_tokens_total\{model="tiny\.gguf"\} [1-9]/);
    assert.match(m, /cortex_time_to_first_token_seconds_bucket\{le="[^"]+",api="openai",model="tiny\.gguf"\} \d+/);
    assert.match(m, /cortex_request_duration_seconds_count\{api="openai",endpoint="\/v1\/embeddings",model="tiny\.gguf"\} [1-9]/);
    assert.match(m, /cortex_loaded_models [1-9]/);
    assert.match(m, /cortex_model_memory_bytes\{model="tiny\.gguf",kind="measured"\} [1-9]/);
    assert.match(m, /cortex_model_memory_bytes\{model="tiny\.gguf",kind="estimated"\} [1-9]/);
    assert.match(m, /cortex_queued_requests 0/);
    assert.match(m, /cortex_evictions_total \d+/);
    assert.match(m, /cortex_jobs\{queue="downloads",state="waiting"\} 0/);
    assert.match(m, /cortex_download_bytes 0/);
    assert.match(m, /cortex_redis_up 1/);
    assert.ok(!m.includes("hello there") && !m.includes(h.token), "no prompt text, no token");
    const stats = (await h.d.client.unary("cortex.v1.ModelService", "GetStats" as never, {} as never)) as unknown as { metrics: { name: string; type: string; samples: { name: string; labels: { name: string; value: string }[]; value: number }[] }[] };
    const names = stats.metrics.map((f) => f.name);
    for (const n of ["cortex_requests_total", "cortex_request_errors_total", "cortex_prompt_tokens_total", "cortex_generated_tokens_total", "cortex_time_to_first_token_seconds", "cortex_request_duration_seconds", "cortex_queued_requests", "cortex_loaded_models", "cortex_model_memory_bytes", "cortex_evictions_total", "cortex_jobs", "cortex_download_bytes", "cortex_redis_up"]) {
      assert.ok(names.includes(n), `GetStats has ${n}`);
    }
    const redis = stats.metrics.find((f) => f.name === "cortex_redis_up")!;
    assert.equal(redis.samples[0]!.value, 1);
    const ttft = stats.metrics.find((f) => f.name === "cortex_time_to_first_token_seconds")!;
    assert.equal(ttft.type, "histogram");
    assert.ok(ttft.samples.some((x) => x.name === "cortex_time_to_first_token_seconds_bucket" && x.labels.some((l) => l.name === "le")));
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

import crypto from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { FinishReason, GenerationInput, SamplingSpec } from "../../inference/engine/engine-types.js";
import { CortexError } from "../../errors/cortex-error.js";
import { runEmbed, runGeneration, type GenerationRun } from "../generation.js";
import type { HttpDeps } from "../http-deps.js";
import { openAiErrorBody } from "../http-errors.js";
import { runnableModels } from "../model-names.js";
import { parseBody, unsupported } from "../parse-body.js";
import { ResponseStream, SSE_DONE, SSE_HEADERS, sseEvent } from "../response-stream.js";
import { streamReply } from "../stream-reply.js";
import { runChat } from "../tool-generation.js";
import { registerResponses } from "./responses-route.js";
import { ANY_JSON_OBJECT, chatRequest, chatTurns, toolsOf, completionRequest, embeddingsRequest, samplingOf, type ChatRequest } from "./openai-requests.js";

const now = (): number => Math.floor(Date.now() / 1000);
const newId = (prefix: string): string => `${prefix}-${crypto.randomBytes(12).toString("base64url")}`;

/** OpenAI's finish_reason for the engine's. */
export function openAiFinish(r: FinishReason): "stop" | "length" {
  return r === "length" ? "length" : "stop";
}

function usageOf(run: GenerationRun): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: run.result.promptTokens, completion_tokens: run.result.generatedTokens, total_tokens: run.result.promptTokens + run.result.generatedTokens };
}

function responseFormat(r: ChatRequest, s: SamplingSpec): void {
  const f = r.response_format;
  if (!f || f.type === "text") return;
  if (f.type === "json_object") s.jsonSchema = JSON.stringify(ANY_JSON_OBJECT);
  else if (!f.json_schema.schema) throw new CortexError("REQ_INVALID_ARGUMENT", "response_format.json_schema.schema is required", { details: { field: "response_format.json_schema.schema" } });
  else s.jsonSchema = JSON.stringify(f.json_schema.schema);
}

/** `/v1`: models, chat and text completions (streamed as SSE or whole), embeddings. */
export function registerOpenAi(app: FastifyInstance, deps: HttpDeps): void {
  const { pool, logger } = deps;
  registerResponses(app, deps);

  app.get("/v1/models", async () => {
    const models = runnableModels(await deps.models());
    return { object: "list", data: models.map((m) => modelObject(m.name, m.record.createdAt, m.record.sourceRepo)) };
  });
  app.get<{ Params: { "*": string } }>("/v1/models/*", async (req) => {
    const name = req.params["*"];
    const m = runnableModels(await deps.models()).find((x) => x.name === name || x.record.id === name);
    if (!m) throw new CortexError("REG_NOT_FOUND", `model "${name}" does not exist (GET /v1/models lists them)`, { details: { field: "model" } });
    return modelObject(m.name, m.record.createdAt, m.record.sourceRepo);
  });

  app.post("/v1/chat/completions", async (req, reply) => {
    const body = parseBody(chatRequest, req.body);
    const sampling = samplingOf(body, body.max_completion_tokens ?? body.max_tokens);
    responseFormat(body, sampling);
    const messages = chatTurns(body.messages);
    const { tools, choice } = toolsOf(body);
    const id = newId("chatcmpl");
    const created = now();
    const base = { id, object: "chat.completion.chunk", created, model: body.model, system_fingerprint: "cortexd" };
    if (body.stream) {
      const usage = body.stream_options?.include_usage === true;
      const chunk = (delta: object, finish: string | null) => sseEvent({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage ? { usage: null } : {}) });
      return streamReply(reply, SSE_HEADERS, logger, async (out: ResponseStream) => {
        let first = true;
        const run = await runChat(pool, body.model, messages, tools, choice, sampling, {}, out, (text) => {
          const delta = first ? { role: "assistant", content: text } : { content: text };
          first = false;
          return out.write(chunk(delta, null));
        });
        if (run.calls.length > 0) {
          await out.write(chunk({ ...(first ? { role: "assistant", content: null } : {}), tool_calls: run.calls.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) }, null));
        } else if (first) await out.write(chunk({ role: "assistant", content: "" }, null));
        await out.write(chunk({}, run.calls.length > 0 ? "tool_calls" : openAiFinish(run.result.finishReason)));
        if (usage) await out.write(sseEvent({ ...base, choices: [], usage: usageOf(run) }));
        await out.write(SSE_DONE);
      }, openAiErrorBody, (f) => sseEvent(openAiErrorBody(f)));
    }
    const gone = new ResponseStream(reply.raw);
    let text = "";
    const run = await runChat(pool, body.model, messages, tools, choice, sampling, {}, gone, (t) => {
      text += t;
    });
    const called = run.calls.length > 0;
    const message = called
      ? { role: "assistant", content: text || null, refusal: null, tool_calls: run.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) }
      : { role: "assistant", content: text, refusal: null };
    return {
      id,
      object: "chat.completion",
      created,
      model: body.model,
      system_fingerprint: "cortexd",
      choices: [{ index: 0, message, logprobs: null, finish_reason: called ? "tool_calls" : openAiFinish(run.result.finishReason) }],
      usage: usageOf(run),
    };
  });

  app.post("/v1/completions", async (req, reply) => {
    const body = parseBody(completionRequest, req.body);
    if (body.suffix) throw unsupported("suffix", "fill-in-the-middle needs a model with FIM tokens (not yet in this build)");
    if (body.echo) throw unsupported("echo", "the prompt is not repeated");
    if (body.best_of !== undefined && body.best_of !== null && body.best_of !== 1) throw unsupported("best_of", "one candidate per request");
    const sampling = samplingOf(body, body.max_tokens);
    const input: GenerationInput = { kind: "completion", prompt: typeof body.prompt === "string" ? body.prompt : body.prompt[0]! };
    const id = newId("cmpl");
    const created = now();
    const base = { id, object: "text_completion", created, model: body.model, system_fingerprint: "cortexd" };
    if (body.stream) {
      const usage = body.stream_options?.include_usage === true;
      const chunk = (text: string, finish: string | null) => sseEvent({ ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], ...(usage ? { usage: null } : {}) });
      return streamReply(reply, SSE_HEADERS, logger, async (out) => {
        const run = await runGeneration(pool, body.model, input, sampling, {}, out, (text) => out.write(chunk(text, null)));
        await out.write(chunk("", openAiFinish(run.result.finishReason)));
        if (usage) await out.write(sseEvent({ ...base, choices: [], usage: usageOf(run) }));
        await out.write(SSE_DONE);
      }, openAiErrorBody, (f) => sseEvent(openAiErrorBody(f)));
    }
    const gone = new ResponseStream(reply.raw);
    let text = "";
    const run = await runGeneration(pool, body.model, input, sampling, {}, gone, (t) => {
      text += t;
    });
    return { ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: openAiFinish(run.result.finishReason) }], usage: usageOf(run) };
  });

  app.post("/v1/embeddings", async (req, reply) => {
    const body = parseBody(embeddingsRequest, req.body);
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const r = await runEmbed(pool, body.model, inputs, {}, new ResponseStream(reply.raw));
    const size = r.vectors[0]?.length ?? 0;
    if (body.dimensions !== undefined && body.dimensions !== size) throw unsupported("dimensions", `${body.model} makes vectors of ${size} dimensions`);
    const base64 = body.encoding_format === "base64";
    return {
      object: "list",
      model: body.model,
      data: r.vectors.map((v, index) => ({ object: "embedding", index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v) })),
      usage: { prompt_tokens: r.promptTokens, total_tokens: r.promptTokens },
    };
  });
}

function modelObject(id: string, createdAt: string, sourceRepo: string): { id: string; object: "model"; created: number; owned_by: string } {
  const t = Date.parse(createdAt);
  return { id, object: "model", created: Number.isFinite(t) ? Math.floor(t / 1000) : 0, owned_by: sourceRepo.includes("/") ? sourceRepo.split("/")[0]! : "cortexd" };
}

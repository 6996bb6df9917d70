import crypto from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { CortexError } from "../../errors/cortex-error.js";
import type { ChatTurn, SamplingSpec, ToolCall, ToolSpec } from "../../inference/engine/engine-types.js";
import type { ToolChoice } from "../../inference/tools/tool-choice.js";
import type { HttpDeps } from "../http-deps.js";
import { openAiErrorBody } from "../http-errors.js";
import { parseBody, unsupported } from "../parse-body.js";
import { ResponseStream, SSE_HEADERS } from "../response-stream.js";
import { streamReply } from "../stream-reply.js";
import { runChat, type ChatRun } from "../tool-generation.js";

const textPart = z.object({ type: z.string(), text: z.string().optional() });
const inputItem = z.union([
  z.object({ type: z.literal("message").optional(), role: z.enum(["system", "developer", "user", "assistant"]), content: z.union([z.string(), z.array(textPart)]) }),
  z.object({ type: z.literal("function_call"), call_id: z.string(), name: z.string(), arguments: z.string(), id: z.string().optional() }),
  z.object({ type: z.literal("function_call_output"), call_id: z.string(), output: z.string() }),
]);

const responsesRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItem).min(1)]),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_output_tokens: z.number().int().min(1).nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  store: z.boolean().nullable().optional(),
  tools: z.array(z.object({ type: z.string(), name: z.string().optional(), description: z.string().nullable().optional(), parameters: z.record(z.string(), z.unknown()).nullable().optional() })).optional(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), name: z.string() })]).optional(),
  text: z.object({ format: z.object({ type: z.enum(["text", "json_object", "json_schema"]), schema: z.record(z.string(), z.unknown()).optional(), name: z.string().optional() }).optional() }).optional(),
});
type ResponsesRequest = z.output<typeof responsesRequest>;

const id = (prefix: string): string => `${prefix}_${crypto.randomBytes(12).toString("hex")}`;

/** Input items → chat turns (function calls attach to the assistant turn before their outputs). */
function turnsOf(r: ResponsesRequest): ChatTurn[] {
  const turns: ChatTurn[] = r.instructions ? [{ role: "system", content: r.instructions }] : [];
  if (typeof r.input === "string") return [...turns, { role: "user", content: r.input }];
  r.input.forEach((item, i) => {
    if ("role" in item) {
      const content = typeof item.content === "string" ? item.content : item.content.map((p, k) => {
        if (p.text === undefined || !/^(input_text|output_text|text)$/.test(p.type)) throw unsupported(`input[${i}].content[${k}]`, `content of type "${p.type}" (cortexd's models read text)`);
        return p.text;
      }).join("");
      turns.push({ role: item.role === "developer" ? "system" : item.role, content });
    } else if (item.type === "function_call") {
      const call: ToolCall = { id: item.call_id, name: item.name, arguments: item.arguments };
      const last = turns.at(-1);
      if (last?.role === "assistant" && (last.toolCalls || last.content === "")) (last.toolCalls ??= []).push(call);
      else turns.push({ role: "assistant", content: "", toolCalls: [call] });
    } else {
      turns.push({ role: "tool", content: item.output, toolCallId: item.call_id });
    }
  });
  return turns;
}

function toolsOf(r: ResponsesRequest): { tools: ToolSpec[]; choice: ToolChoice } {
  const tools = (r.tools ?? []).map((t, i): ToolSpec => {
    if (t.type !== "function" || !t.name) throw unsupported(`tools[${i}]`, `tools of type "${t.type}" (cortexd runs function tools)`);
    return { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.parameters ? { parameters: t.parameters } : {}) };
  });
  const c = r.tool_choice;
  return { tools, choice: c === undefined || c === "auto" ? { kind: "auto" } : c === "none" ? { kind: "none" } : c === "required" ? { kind: "required" } : { kind: "function", name: c.name } };
}

/**
 * `POST /v1/responses`, stateless (what Codex-style agents need): input text or items (messages, function calls
 * and their outputs), instructions, function tools; the answer as output items, or streamed as the typed events
 * of OpenAI's Responses streaming (`response.created` … `response.completed`). Nothing is stored, so
 * `previous_response_id` is refused by name.
 */
export function registerResponses(app: FastifyInstance, deps: HttpDeps): void {
  app.post("/v1/responses", async (req, reply) => {
    const body = parseBody(responsesRequest, req.body);
    if (body.previous_response_id) throw unsupported("previous_response_id", "cortexd keeps no responses (send the whole conversation as input)");
    const messages = turnsOf(body);
    const { tools, choice } = toolsOf(body);
    const sampling: SamplingSpec = { maxTokens: body.max_output_tokens ?? 0, stop: [] };
    if (body.temperature !== undefined && body.temperature !== null) sampling.temperature = body.temperature;
    if (body.top_p !== undefined && body.top_p !== null) sampling.topP = body.top_p;
    const format = body.text?.format;
    if (format?.type === "json_object") sampling.jsonSchema = JSON.stringify({ type: "object", additionalProperties: true });
    if (format?.type === "json_schema") {
      if (!format.schema) throw new CortexError("REQ_INVALID_ARGUMENT", "text.format.schema is required", { details: { field: "text.format.schema" } });
      sampling.jsonSchema = JSON.stringify(format.schema);
    }
    const responseId = id("resp");
    const messageId = id("msg");
    const created = Math.floor(Date.now() / 1000);
    const shell = { id: responseId, object: "response", created_at: created, model: body.model, instructions: body.instructions ?? null, tools: body.tools ?? [], parallel_tool_calls: true, tool_choice: body.tool_choice ?? "auto", temperature: body.temperature ?? null, top_p: body.top_p ?? null, max_output_tokens: body.max_output_tokens ?? null, previous_response_id: null, error: null, metadata: {} };
    const messageItem = (text: string, status: string) => ({ type: "message", id: messageId, status, role: "assistant", content: status === "in_progress" ? [] : [{ type: "output_text", text, annotations: [] }] });
    const callItems = (calls: ToolCall[]) => calls.map((c) => ({ type: "function_call", id: `fc_${c.id}`, call_id: c.id, name: c.name, arguments: c.arguments, status: "completed" }));
    const finished = (run: ChatRun, text: string) => {
      const incomplete = run.result.finishReason === "length";
      return {
        ...shell,
        status: incomplete ? "incomplete" : "completed",
        incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
        output: [...(text || run.calls.length === 0 ? [messageItem(text, "completed")] : []), ...callItems(run.calls)],
        usage: { input_tokens: run.result.promptTokens, output_tokens: run.result.generatedTokens, total_tokens: run.result.promptTokens + run.result.generatedTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
      };
    };
    if (body.stream) {
      let seq = 0;
      const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
      return streamReply(reply, SSE_HEADERS, deps.logger, async (out) => {
        const inProgress = { ...shell, status: "in_progress", incomplete_details: null, output: [], usage: null };
        await out.write(event("response.created", { response: inProgress }));
        await out.write(event("response.in_progress", { response: inProgress }));
        let text = "";
        let opened = false;
        const open = async () => {
          if (opened) return;
          opened = true;
          await out.write(event("response.output_item.added", { output_index: 0, item: messageItem("", "in_progress") }));
          await out.write(event("response.content_part.added", { item_id: messageId, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }));
        };
        const run = await runChat(deps.pool, body.model, messages, tools, choice, sampling, {}, out, async (delta) => {
          await open();
          text += delta;
          await out.write(event("response.output_text.delta", { item_id: messageId, output_index: 0, content_index: 0, delta, logprobs: [] }));
        });
        if (text || run.calls.length === 0) {
          await open();
          await out.write(event("response.output_text.done", { item_id: messageId, output_index: 0, content_index: 0, text, logprobs: [] }));
          await out.write(event("response.content_part.done", { item_id: messageId, output_index: 0, content_index: 0, part: { type: "output_text", text, annotations: [] } }));
          await out.write(event("response.output_item.done", { output_index: 0, item: messageItem(text, "completed") }));
        }
        const base = opened ? 1 : 0;
        for (const [k, item] of callItems(run.calls).entries()) {
          const output_index = base + k;
          await out.write(event("response.output_item.added", { output_index, item: { ...item, arguments: "", status: "in_progress" } }));
          await out.write(event("response.function_call_arguments.delta", { item_id: item.id, output_index, delta: item.arguments }));
          await out.write(event("response.function_call_arguments.done", { item_id: item.id, output_index, arguments: item.arguments }));
          await out.write(event("response.output_item.done", { output_index, item }));
        }
        const done = finished(run, text);
        await out.write(event(done.status === "completed" ? "response.completed" : "response.incomplete", { response: done }));
      }, openAiErrorBody, (f) => `event: error\ndata: ${JSON.stringify({ type: "error", sequence_number: -1, code: f.error.code, message: f.error.message, param: null })}\n\n`);
    }
    const gone = new ResponseStream(reply.raw);
    let text = "";
    const run = await runChat(deps.pool, body.model, messages, tools, choice, sampling, {}, gone, (t) => {
      text += t;
    });
    return finished(run, text);
  });
}

import { z } from "zod";
import type { ChatTurn, SamplingSpec, ToolSpec } from "../../inference/engine/engine-types.js";
import type { ToolChoice } from "../../inference/tools/tool-choice.js";
import { unsupported } from "../parse-body.js";

const text = z.string();
const contentPart = z.object({ type: z.string(), text: z.string().optional() });
const content = z.union([text, z.array(contentPart), z.null()]);

const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: content.optional(),
  name: z.string().optional(),
  tool_calls: z.array(z.object({ id: z.string(), type: z.literal("function"), function: z.object({ name: z.string(), arguments: z.string() }) })).optional(),
  tool_call_id: z.string().optional(),
});

const stop = z.union([z.string().min(1), z.array(z.string().min(1)).max(16)]).nullable().optional();

/** Fields shared by chat and text completions. */
const sampling = {
  model: z.string().min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop,
  max_tokens: z.number().int().min(1).nullable().optional(),
  n: z.number().int().nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  logprobs: z.union([z.boolean(), z.number()]).nullable().optional(),
  // Not OpenAI's, but llama-server's and vLLM's: clients of local servers send them.
  top_k: z.number().int().min(0).nullable().optional(),
  min_p: z.number().min(0).max(1).nullable().optional(),
  repeat_penalty: z.number().min(0.01).max(100).nullable().optional(),
};

export const functionTool = z.object({
  type: z.literal("function"),
  function: z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1 to 64 letters, digits, _ . -"), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }),
});

export const chatRequest = z.object({
  ...sampling,
  messages: z.array(message).min(1, "must hold at least one message"),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  response_format: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("text") }),
      z.object({ type: z.literal("json_object") }),
      z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }) }),
    ])
    .optional(),
  tools: z.array(functionTool).optional(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) })]).optional(),
  parallel_tool_calls: z.boolean().optional(),
});
export type ChatRequest = z.output<typeof chatRequest>;

export const completionRequest = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).length(1, "must be one prompt (batches are not supported)")]),
  suffix: z.string().nullable().optional(),
  echo: z.boolean().nullable().optional(),
  best_of: z.number().int().nullable().optional(),
});
export type CompletionRequest = z.output<typeof completionRequest>;

export const embeddingsRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1, "must hold at least one text").max(4096)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
});

/** Any JSON object: what `response_format: json_object` asks for. */
export const ANY_JSON_OBJECT = { type: "object", additionalProperties: true };

/** The sampling both completion endpoints share, with what cortexd cannot do refused by name. */
export function samplingOf(r: ChatRequest | CompletionRequest, maxTokens: number | null | undefined): SamplingSpec {
  if (r.n !== undefined && r.n !== null && r.n !== 1) throw unsupported("n", "one choice per request");
  if (r.logprobs) throw unsupported("logprobs", "cortexd does not return token log-probabilities");
  const s: SamplingSpec = { maxTokens: maxTokens ?? 0, stop: r.stop === undefined || r.stop === null ? [] : typeof r.stop === "string" ? [r.stop] : r.stop };
  if (r.temperature !== undefined && r.temperature !== null) s.temperature = r.temperature;
  if (r.top_p !== undefined && r.top_p !== null) s.topP = r.top_p;
  if (r.top_k !== undefined && r.top_k !== null) s.topK = r.top_k;
  if (r.min_p !== undefined && r.min_p !== null) s.minP = r.min_p;
  if (r.repeat_penalty !== undefined && r.repeat_penalty !== null) s.repeatPenalty = r.repeat_penalty;
  if (r.seed !== undefined && r.seed !== null) s.seed = r.seed;
  if (r.frequency_penalty) s.frequencyPenalty = r.frequency_penalty;
  if (r.presence_penalty) s.presencePenalty = r.presence_penalty;
  return s;
}

/** The text of a message's content: a string, or text parts (other parts are refused by name). */
export function contentText(c: z.output<typeof content> | undefined, field: string): string {
  if (c === undefined || c === null) return "";
  if (typeof c === "string") return c;
  return c
    .map((p, i) => {
      if (p.type !== "text" || p.text === undefined) throw unsupported(`${field}[${i}]`, `content parts of type "${p.type}" (cortexd's models read text)`);
      return p.text;
    })
    .join("");
}

/** OpenAI messages → the engine's chat turns (developer is the newer name of system; tool results keep their call id). */
export function chatTurns(messages: ChatRequest["messages"]): ChatTurn[] {
  return messages.map((m, i) => {
    const content = contentText(m.content, `messages[${i}].content`);
    if (m.role === "tool") return { role: "tool", content, ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}) };
    if (m.role === "assistant" && m.tool_calls?.length) return { role: "assistant", content, toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) };
    return { role: m.role === "developer" ? "system" : m.role, content };
  });
}

/** tools and tool_choice (default auto when tools are given, as OpenAI). */
export function toolsOf(r: ChatRequest): { tools: ToolSpec[]; choice: ToolChoice } {
  const tools = (r.tools ?? []).map((t) => ({ name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), ...(t.function.parameters ? { parameters: t.function.parameters } : {}) }));
  const c = r.tool_choice;
  const choice: ToolChoice = c === undefined || c === "auto" ? { kind: "auto" } : c === "none" ? { kind: "none" } : c === "required" ? { kind: "required" } : { kind: "function", name: c.function.name };
  if (tools.length === 0 && choice.kind !== "none" && c !== undefined && c !== "auto") throw unsupported("tool_choice", "there are no tools to choose from");
  return { tools, choice };
}

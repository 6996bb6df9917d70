import path from "node:path";
import type { ChatHistoryItem, ChatModelFunctions, ChatModelResponse, GbnfJsonSchema } from "node-llama-cpp";
import { CortexError } from "../../errors/cortex-error.js";
import type { ChatTurn, ToolSpec } from "./engine-types.js";

/**
 * Turns → node-llama-cpp's history, which its chat wrappers (the GGUF's template) render. An assistant turn's tool
 * calls become function calls whose results are the tool turns that follow it (by toolCallId, else in order); the
 * template renders both in its own syntax.
 */
export function toHistory(messages: readonly ChatTurn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "system") history.push({ type: "system", text: m.content });
    else if (m.role === "user") history.push({ type: "user", text: m.content });
    else if (m.role === "tool") throw new CortexError("REQ_INVALID_ARGUMENT", `messages[${i}] is a tool result that follows no assistant tool call`, { details: { field: `messages[${i}]` } });
    else {
      const response: ChatModelResponse["response"] = m.content ? [m.content] : [];
      const calls = m.toolCalls ?? [];
      const results: ChatTurn[] = [];
      while (calls.length > 0 && messages[i + 1]?.role === "tool") results.push(messages[++i]!);
      calls.forEach((c, k) => {
        const r = results.find((t) => t.toolCallId === c.id) ?? (results.every((t) => !t.toolCallId) ? results[k] : undefined);
        if (!r) throw new CortexError("REQ_INVALID_ARGUMENT", `the tool call ${c.id} (${c.name}) has no tool message with its result`, { details: { field: "messages" } });
        response.push({ type: "functionCall", name: c.name, params: jsonOrText(c.arguments), result: jsonOrText(r.content) });
      });
      history.push({ type: "model", response });
    }
  }
  // A trailing assistant message is continued; otherwise the model answers in a new response.
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

/** Tools for the chat template; a template that never mentions tools cannot render them for its model. */
export function chatFunctions(tools: readonly ToolSpec[], chatTemplate: string, modelPath: string): ChatModelFunctions {
  if (!/\btools?\b/.test(chatTemplate)) {
    throw new CortexError("INF_NO_TOOLS", `${path.basename(modelPath)}: the model's chat template has no tool support, so it cannot be given tools`);
  }
  return Object.fromEntries(tools.map((t) => [t.name, { ...(t.description ? { description: t.description } : {}), ...(t.parameters ? { params: t.parameters as GbnfJsonSchema } : {}) }]));
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import type { ChatHistoryItem } from "node-llama-cpp";
import type { ChatTurn } from "./engine-types.js";

/** A request's messages as node-llama-cpp's chat history, which its chat wrappers (the GGUF's template) render. */
export function toHistory(messages: readonly ChatTurn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "system" ? { type: "system", text: m.content } : m.role === "assistant" ? { type: "model", response: [m.content] } : { type: "user", text: m.content },
  );
  // A trailing assistant message is continued; otherwise the model answers in a new response.
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

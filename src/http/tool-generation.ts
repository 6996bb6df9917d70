import type { ChatTurn, SamplingSpec, ToolCall, ToolSpec } from "../inference/engine/engine-types.js";
import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import type { LoadOptions } from "../inference/scheduler/prepare-load.js";
import { ToolCallDetector } from "../inference/tools/tool-call-detector.js";
import { forcedCallSchema, type ToolChoice } from "../inference/tools/tool-choice.js";
import { runGeneration, type GenerationRun } from "./generation.js";

export interface ChatRun extends GenerationRun {
  calls: ToolCall[];
}

/**
 * A chat generation with tools offered. The engine renders them through the model's template and generates; here
 * the text is split into content (streamed into `write`) and tool calls (returned). tool_choice required or a
 * name generates under a grammar that admits only a call (the engine's JSON-schema grammar); auto detects calls
 * in whatever the model writes; none offers the tools (the history may use them) and detects nothing.
 */
export async function runChat(
  pool: InferencePool,
  model: string,
  messages: ChatTurn[],
  tools: readonly ToolSpec[],
  choice: ToolChoice,
  sampling: SamplingSpec,
  load: LoadOptions,
  signal: AbortSignal,
  write: (text: string) => void | Promise<void>,
): Promise<ChatRun> {
  const input = { kind: "chat" as const, messages, ...(tools.length > 0 ? { tools: [...tools] } : {}) };
  if (tools.length === 0 || choice.kind === "none") return { ...(await runGeneration(pool, model, input, sampling, load, signal, write)), calls: [] };
  const forced = forcedCallSchema(tools, choice);
  const s: SamplingSpec = forced ? { ...sampling, jsonSchema: JSON.stringify(forced) } : sampling;
  const detector = new ToolCallDetector(new Set(tools.map((t) => t.name)));
  const run = await runGeneration(pool, model, input, s, load, signal, (text) => {
    const content = detector.feed(text);
    return content ? write(content) : undefined;
  });
  const rest = detector.finish();
  if (rest.content) await write(rest.content);
  return { ...run, calls: rest.calls };
}

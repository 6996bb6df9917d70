import type { ChatTurn, SamplingSpec, ToolCall, ToolSpec } from "../inference/engine/engine-types.js";
import type { InferencePool } from "../inference/scheduler/inference-pool.js";
import type { LoadOptions } from "../inference/scheduler/prepare-load.js";
import type { ToolChoice } from "../inference/tools/tool-choice.js";
import { ToolSession } from "../inference/tools/tool-session.js";
import { runGeneration, type GenerationRun } from "./generation.js";
import type { RequestMeter } from "./request-meter.js";

export interface ChatRun extends GenerationRun {
  calls: ToolCall[];
}

/**
 * A chat generation with tools offered. The engine renders them through the model's template and generates; the
 * tool session splits the text into content (streamed into `write`) and tool calls (returned): tool_choice
 * required or a name generates under a grammar that admits only a call; auto detects calls in whatever the model
 * writes; none offers the tools (the history may use them) and detects nothing.
 */
export async function runChat(
  pool: InferencePool,
  model: string,
  messages: ChatTurn[],
  tools: readonly ToolSpec[],
  choice: ToolChoice,
  sampling: SamplingSpec,
  load: LoadOptions,
  client: { signal: AbortSignal; meter?: RequestMeter | undefined },
  write: (text: string) => void | Promise<void>,
): Promise<ChatRun> {
  const input = { kind: "chat" as const, messages, ...(tools.length > 0 ? { tools: [...tools] } : {}) };
  const session = new ToolSession(tools, choice, sampling);
  const run = await runGeneration(pool, model, input, session.sampling, load, client, (text) => {
    const content = session.feed(text);
    return content ? write(content) : undefined;
  });
  const rest = session.finish();
  if (rest.content) await write(rest.content);
  return { ...run, calls: rest.calls };
}

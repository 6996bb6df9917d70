import type { SamplingSpec, ToolCall, ToolSpec } from "../engine/engine-types.js";
import { ToolCallDetector } from "./tool-call-detector.js";
import { forcedCallSchema, type ToolChoice } from "./tool-choice.js";

/**
 * Tools for one chat generation, whatever API asked: the sampling to generate with (a forced call — tool_choice
 * required or a name — adds the grammar that admits only a call) and the split of the streamed text into content
 * and calls. With no tools, or tool_choice none, text passes through untouched.
 */
export class ToolSession {
  readonly sampling: SamplingSpec;
  private readonly detector: ToolCallDetector | undefined;

  constructor(tools: readonly ToolSpec[], choice: ToolChoice, sampling: SamplingSpec) {
    const active = tools.length > 0 && choice.kind !== "none";
    const forced = active ? forcedCallSchema(tools, choice) : undefined;
    this.sampling = forced ? { ...sampling, jsonSchema: JSON.stringify(forced) } : sampling;
    this.detector = active ? new ToolCallDetector(new Set(tools.map((t) => t.name))) : undefined;
  }

  /** Content to stream now (text that may begin a call is held). */
  feed(text: string): string {
    return this.detector ? this.detector.feed(text) : text;
  }

  /** Held content that was no call, and the calls. */
  finish(): { content: string; calls: ToolCall[] } {
    return this.detector ? this.detector.finish() : { content: "", calls: [] };
  }
}

// Original file: proto/cortex/v1/inference.proto

import type { GenerationStats as _cortex_v1_GenerationStats, GenerationStats__Output as _cortex_v1_GenerationStats__Output } from '../../cortex/v1/GenerationStats.js';
import type { ToolCall as _cortex_v1_ToolCall, ToolCall__Output as _cortex_v1_ToolCall__Output } from '../../cortex/v1/ToolCall.js';

export interface GenerateResponse {
  'text'?: (string);
  /**
   * Set on the last message only.
   */
  'stats'?: (_cortex_v1_GenerationStats | null);
  /**
   * Chat with tools: the calls the model made (sent before the last message, whose finish_reason is then
   * "tool_calls").
   */
  'tool_calls'?: (_cortex_v1_ToolCall)[];
}

export interface GenerateResponse__Output {
  'text': (string);
  /**
   * Set on the last message only.
   */
  'stats': (_cortex_v1_GenerationStats__Output | null);
  /**
   * Chat with tools: the calls the model made (sent before the last message, whose finish_reason is then
   * "tool_calls").
   */
  'tool_calls': (_cortex_v1_ToolCall__Output)[];
}

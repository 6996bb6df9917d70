// Original file: proto/cortex/v1/inference.proto

import type { ToolCall as _cortex_v1_ToolCall, ToolCall__Output as _cortex_v1_ToolCall__Output } from '../../cortex/v1/ToolCall.js';

export interface ChatMessage {
  /**
   * "system", "user", "assistant" or "tool" (the result of one tool call).
   */
  'role'?: (string);
  'content'?: (string);
  /**
   * An assistant message: the tool calls it made (their results follow as "tool" messages).
   */
  'tool_calls'?: (_cortex_v1_ToolCall)[];
  /**
   * A "tool" message: the id of the call it answers (else results match calls in order).
   */
  'tool_call_id'?: (string);
}

export interface ChatMessage__Output {
  /**
   * "system", "user", "assistant" or "tool" (the result of one tool call).
   */
  'role': (string);
  'content': (string);
  /**
   * An assistant message: the tool calls it made (their results follow as "tool" messages).
   */
  'tool_calls': (_cortex_v1_ToolCall__Output)[];
  /**
   * A "tool" message: the id of the call it answers (else results match calls in order).
   */
  'tool_call_id': (string);
}

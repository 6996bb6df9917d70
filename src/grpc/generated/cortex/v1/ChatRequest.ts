// Original file: proto/cortex/v1/inference.proto

import type { ChatMessage as _cortex_v1_ChatMessage, ChatMessage__Output as _cortex_v1_ChatMessage__Output } from '../../cortex/v1/ChatMessage.js';
import type { SamplingOptions as _cortex_v1_SamplingOptions, SamplingOptions__Output as _cortex_v1_SamplingOptions__Output } from '../../cortex/v1/SamplingOptions.js';
import type { LoadOptions as _cortex_v1_LoadOptions, LoadOptions__Output as _cortex_v1_LoadOptions__Output } from '../../cortex/v1/LoadOptions.js';
import type { Tool as _cortex_v1_Tool, Tool__Output as _cortex_v1_Tool__Output } from '../../cortex/v1/Tool.js';

export interface ChatRequest {
  'model'?: (string);
  'messages'?: (_cortex_v1_ChatMessage)[];
  'sampling'?: (_cortex_v1_SamplingOptions | null);
  'load'?: (_cortex_v1_LoadOptions | null);
  /**
   * Functions offered; a model whose chat template has no tool support answers FAILED_PRECONDITION.
   */
  'tools'?: (_cortex_v1_Tool)[];
  /**
   * "auto" (default: the model decides), "none", "required" (at least one call, grammar-constrained) or a
   * tool's name (that call).
   */
  'tool_choice'?: (string);
}

export interface ChatRequest__Output {
  'model': (string);
  'messages': (_cortex_v1_ChatMessage__Output)[];
  'sampling': (_cortex_v1_SamplingOptions__Output | null);
  'load': (_cortex_v1_LoadOptions__Output | null);
  /**
   * Functions offered; a model whose chat template has no tool support answers FAILED_PRECONDITION.
   */
  'tools': (_cortex_v1_Tool__Output)[];
  /**
   * "auto" (default: the model decides), "none", "required" (at least one call, grammar-constrained) or a
   * tool's name (that call).
   */
  'tool_choice': (string);
}

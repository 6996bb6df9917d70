// Original file: proto/cortex/v1/inference.proto

import type { GenerationStats as _cortex_v1_GenerationStats, GenerationStats__Output as _cortex_v1_GenerationStats__Output } from '../../cortex/v1/GenerationStats.js';

export interface GenerateResponse {
  'text'?: (string);
  /**
   * Set on the last message only.
   */
  'stats'?: (_cortex_v1_GenerationStats | null);
}

export interface GenerateResponse__Output {
  'text': (string);
  /**
   * Set on the last message only.
   */
  'stats': (_cortex_v1_GenerationStats__Output | null);
}

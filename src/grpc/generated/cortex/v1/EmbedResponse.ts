// Original file: proto/cortex/v1/inference.proto

import type { Embedding as _cortex_v1_Embedding, Embedding__Output as _cortex_v1_Embedding__Output } from '../../cortex/v1/Embedding.js';

export interface EmbedResponse {
  'embeddings'?: (_cortex_v1_Embedding)[];
  'prompt_tokens'?: (number);
  'load_ms'?: (number | string);
  'total_ms'?: (number | string);
}

export interface EmbedResponse__Output {
  'embeddings': (_cortex_v1_Embedding__Output)[];
  'prompt_tokens': (number);
  'load_ms': (number);
  'total_ms': (number);
}

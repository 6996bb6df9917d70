// Original file: proto/cortex/v1/inference.proto

import type { SamplingOptions as _cortex_v1_SamplingOptions, SamplingOptions__Output as _cortex_v1_SamplingOptions__Output } from '../../cortex/v1/SamplingOptions.js';
import type { LoadOptions as _cortex_v1_LoadOptions, LoadOptions__Output as _cortex_v1_LoadOptions__Output } from '../../cortex/v1/LoadOptions.js';

export interface GenerateRequest {
  'model'?: (string);
  'prompt'?: (string);
  'sampling'?: (_cortex_v1_SamplingOptions | null);
  'load'?: (_cortex_v1_LoadOptions | null);
}

export interface GenerateRequest__Output {
  'model': (string);
  'prompt': (string);
  'sampling': (_cortex_v1_SamplingOptions__Output | null);
  'load': (_cortex_v1_LoadOptions__Output | null);
}

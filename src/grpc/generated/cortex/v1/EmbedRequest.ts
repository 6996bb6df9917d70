// Original file: proto/cortex/v1/inference.proto

import type { LoadOptions as _cortex_v1_LoadOptions, LoadOptions__Output as _cortex_v1_LoadOptions__Output } from '../../cortex/v1/LoadOptions.js';

export interface EmbedRequest {
  'model'?: (string);
  'inputs'?: (string)[];
  'load'?: (_cortex_v1_LoadOptions | null);
}

export interface EmbedRequest__Output {
  'model': (string);
  'inputs': (string)[];
  'load': (_cortex_v1_LoadOptions__Output | null);
}

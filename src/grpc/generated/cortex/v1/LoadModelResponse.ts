// Original file: proto/cortex/v1/inference.proto

import type { LoadedModel as _cortex_v1_LoadedModel, LoadedModel__Output as _cortex_v1_LoadedModel__Output } from '../../cortex/v1/LoadedModel.js';

export interface LoadModelResponse {
  'model'?: (_cortex_v1_LoadedModel | null);
  'already_loaded'?: (boolean);
}

export interface LoadModelResponse__Output {
  'model': (_cortex_v1_LoadedModel__Output | null);
  'already_loaded': (boolean);
}

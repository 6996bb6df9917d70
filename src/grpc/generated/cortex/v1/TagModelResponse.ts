// Original file: proto/cortex/v1/models.proto

import type { ModelInfo as _cortex_v1_ModelInfo, ModelInfo__Output as _cortex_v1_ModelInfo__Output } from '../../cortex/v1/ModelInfo.js';

export interface TagModelResponse {
  'model'?: (_cortex_v1_ModelInfo | null);
}

export interface TagModelResponse__Output {
  'model': (_cortex_v1_ModelInfo__Output | null);
}

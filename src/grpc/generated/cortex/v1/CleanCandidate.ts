// Original file: proto/cortex/v1/models.proto

import type { ModelInfo as _cortex_v1_ModelInfo, ModelInfo__Output as _cortex_v1_ModelInfo__Output } from '../../cortex/v1/ModelInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface CleanCandidate {
  'model'?: (_cortex_v1_ModelInfo | null);
  'reclaimable_bytes'?: (number | string | Long);
  'reason'?: (string);
}

export interface CleanCandidate__Output {
  'model': (_cortex_v1_ModelInfo__Output | null);
  'reclaimable_bytes': (number);
  'reason': (string);
}

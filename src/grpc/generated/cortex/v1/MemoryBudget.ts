// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface MemoryBudget {
  'total_bytes'?: (number | string | Long);
  'reserve_bytes'?: (number | string | Long);
  'budget_bytes'?: (number | string | Long);
  'used_bytes'?: (number | string | Long);
  'unified'?: (boolean);
}

export interface MemoryBudget__Output {
  'total_bytes': (number);
  'reserve_bytes': (number);
  'budget_bytes': (number);
  'used_bytes': (number);
  'unified': (boolean);
}

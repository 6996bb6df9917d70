// Original file: proto/cortex/v1/models.proto

import type { MetricFamily as _cortex_v1_MetricFamily, MetricFamily__Output as _cortex_v1_MetricFamily__Output } from '../../cortex/v1/MetricFamily.js';

export interface GetStatsResponse {
  'metrics'?: (_cortex_v1_MetricFamily)[];
}

export interface GetStatsResponse__Output {
  'metrics': (_cortex_v1_MetricFamily__Output)[];
}

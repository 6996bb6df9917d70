// Original file: proto/cortex/v1/models.proto

import type { MetricLabel as _cortex_v1_MetricLabel, MetricLabel__Output as _cortex_v1_MetricLabel__Output } from '../../cortex/v1/MetricLabel.js';

export interface MetricSample {
  /**
   * The sample's name: the family's, or for histograms name_bucket / name_sum / name_count.
   */
  'name'?: (string);
  'labels'?: (_cortex_v1_MetricLabel)[];
  'value'?: (number | string);
}

export interface MetricSample__Output {
  /**
   * The sample's name: the family's, or for histograms name_bucket / name_sum / name_count.
   */
  'name': (string);
  'labels': (_cortex_v1_MetricLabel__Output)[];
  'value': (number);
}

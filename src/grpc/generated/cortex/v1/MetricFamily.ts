// Original file: proto/cortex/v1/models.proto

import type { MetricSample as _cortex_v1_MetricSample, MetricSample__Output as _cortex_v1_MetricSample__Output } from '../../cortex/v1/MetricSample.js';

export interface MetricFamily {
  'name'?: (string);
  'help'?: (string);
  /**
   * "counter", "gauge" or "histogram".
   */
  'type'?: (string);
  'samples'?: (_cortex_v1_MetricSample)[];
}

export interface MetricFamily__Output {
  'name': (string);
  'help': (string);
  /**
   * "counter", "gauge" or "histogram".
   */
  'type': (string);
  'samples': (_cortex_v1_MetricSample__Output)[];
}

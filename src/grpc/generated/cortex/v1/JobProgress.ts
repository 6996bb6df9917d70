// Original file: proto/cortex/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface JobProgress {
  /**
   * e.g. "resolving", "downloading", "verifying", "converting", "quantizing", "writing".
   */
  'phase'?: (string);
  'done'?: (number | string | Long);
  'total'?: (number | string | Long);
  /**
   * "bytes", "tensors", "files", "items".
   */
  'unit'?: (string);
  'rate_per_second'?: (number | string);
  'eta_seconds'?: (number | string);
  'message'?: (string);
  /**
   * Per-item detail (per file for pulls, per tensor for conversions).
   */
  'current_item'?: (string);
  'current_done'?: (number | string | Long);
  'current_total'?: (number | string | Long);
}

export interface JobProgress__Output {
  /**
   * e.g. "resolving", "downloading", "verifying", "converting", "quantizing", "writing".
   */
  'phase': (string);
  'done': (number);
  'total': (number);
  /**
   * "bytes", "tensors", "files", "items".
   */
  'unit': (string);
  'rate_per_second': (number);
  'eta_seconds': (number);
  'message': (string);
  /**
   * Per-item detail (per file for pulls, per tensor for conversions).
   */
  'current_item': (string);
  'current_done': (number);
  'current_total': (number);
}

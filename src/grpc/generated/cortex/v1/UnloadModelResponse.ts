// Original file: proto/cortex/v1/inference.proto

import type { Long } from '@grpc/proto-loader';

/**
 * freed_bytes: what the model's buffers held (measured just before its runner exited and returned it).
 */
export interface UnloadModelResponse {
  'freed_bytes'?: (number | string | Long);
}

/**
 * freed_bytes: what the model's buffers held (measured just before its runner exited and returned it).
 */
export interface UnloadModelResponse__Output {
  'freed_bytes': (number);
}

// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteModelResponse {
  'bytes_freed'?: (number | string | Long);
  'deleted_paths'?: (string)[];
  /**
   * Kept on purpose, with why: blobs another revision uses, files of a running download.
   */
  'kept_paths'?: (string)[];
}

export interface DeleteModelResponse__Output {
  'bytes_freed': (number);
  'deleted_paths': (string)[];
  /**
   * Kept on purpose, with why: blobs another revision uses, files of a running download.
   */
  'kept_paths': (string)[];
}

// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface HfIncompleteFile {
  'path'?: (string);
  'size'?: (number | string | Long);
  'last_modified'?: (string);
}

export interface HfIncompleteFile__Output {
  'path': (string);
  'size': (number);
  'last_modified': (string);
}

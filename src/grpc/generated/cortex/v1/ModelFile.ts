// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface ModelFile {
  'path'?: (string);
  'size_bytes'?: (number | string | Long);
  'sha256'?: (string);
}

export interface ModelFile__Output {
  'path': (string);
  'size_bytes': (number);
  'sha256': (string);
}

// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface HfCacheRevision {
  'commit'?: (string);
  'refs'?: (string)[];
  'size_on_disk'?: (number | string | Long);
  'files'?: (number);
  'last_modified'?: (string);
  'detached'?: (boolean);
  'snapshot_path'?: (string);
}

export interface HfCacheRevision__Output {
  'commit': (string);
  'refs': (string)[];
  'size_on_disk': (number);
  'files': (number);
  'last_modified': (string);
  'detached': (boolean);
  'snapshot_path': (string);
}

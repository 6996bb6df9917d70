// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteHfCacheResponse {
  'freed_bytes'?: (number | string | Long);
  'deleted_paths'?: (string)[];
  'kept_blobs'?: (string)[];
  /**
   * Python's expected_freed_size: bytes of the blobs the plan unlinks.
   */
  'expected_freed_bytes'?: (number | string | Long);
  'warnings'?: (string)[];
  /**
   * What the plan removes (repos, snapshots, refs, blobs), also on a dry run.
   */
  'planned_paths'?: (string)[];
  'dry_run'?: (boolean);
}

export interface DeleteHfCacheResponse__Output {
  'freed_bytes': (number);
  'deleted_paths': (string)[];
  'kept_blobs': (string)[];
  /**
   * Python's expected_freed_size: bytes of the blobs the plan unlinks.
   */
  'expected_freed_bytes': (number);
  'warnings': (string)[];
  /**
   * What the plan removes (repos, snapshots, refs, blobs), also on a dry run.
   */
  'planned_paths': (string)[];
  'dry_run': (boolean);
}

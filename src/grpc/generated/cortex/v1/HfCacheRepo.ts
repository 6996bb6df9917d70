// Original file: proto/cortex/v1/models.proto

import type { HfCacheRevision as _cortex_v1_HfCacheRevision, HfCacheRevision__Output as _cortex_v1_HfCacheRevision__Output } from '../../cortex/v1/HfCacheRevision.js';
import type { Long } from '@grpc/proto-loader';

export interface HfCacheRepo {
  'repo_id'?: (string);
  /**
   * "model", "dataset" or "space".
   */
  'repo_type'?: (string);
  'size_on_disk'?: (number | string | Long);
  'files'?: (number);
  'last_accessed'?: (string);
  'last_modified'?: (string);
  'revisions'?: (_cortex_v1_HfCacheRevision)[];
  'refs'?: (string)[];
  'path'?: (string);
}

export interface HfCacheRepo__Output {
  'repo_id': (string);
  /**
   * "model", "dataset" or "space".
   */
  'repo_type': (string);
  'size_on_disk': (number);
  'files': (number);
  'last_accessed': (string);
  'last_modified': (string);
  'revisions': (_cortex_v1_HfCacheRevision__Output)[];
  'refs': (string)[];
  'path': (string);
}

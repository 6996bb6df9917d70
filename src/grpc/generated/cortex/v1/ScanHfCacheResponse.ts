// Original file: proto/cortex/v1/models.proto

import type { HfCacheRepo as _cortex_v1_HfCacheRepo, HfCacheRepo__Output as _cortex_v1_HfCacheRepo__Output } from '../../cortex/v1/HfCacheRepo.js';
import type { HfIncompleteFile as _cortex_v1_HfIncompleteFile, HfIncompleteFile__Output as _cortex_v1_HfIncompleteFile__Output } from '../../cortex/v1/HfIncompleteFile.js';
import type { Long } from '@grpc/proto-loader';

export interface ScanHfCacheResponse {
  'cache_dir'?: (string);
  'repos'?: (_cortex_v1_HfCacheRepo)[];
  'size_on_disk'?: (number | string | Long);
  'warnings'?: (string)[];
  /**
   * blobs/*.incomplete: downloads in progress or interrupted (not counted in sizes).
   */
  'incomplete_files'?: (_cortex_v1_HfIncompleteFile)[];
}

export interface ScanHfCacheResponse__Output {
  'cache_dir': (string);
  'repos': (_cortex_v1_HfCacheRepo__Output)[];
  'size_on_disk': (number);
  'warnings': (string)[];
  /**
   * blobs/*.incomplete: downloads in progress or interrupted (not counted in sizes).
   */
  'incomplete_files': (_cortex_v1_HfIncompleteFile__Output)[];
}

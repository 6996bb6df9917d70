// Original file: proto/cortex/v1/models.proto

import type { ModelInfo as _cortex_v1_ModelInfo, ModelInfo__Output as _cortex_v1_ModelInfo__Output } from '../../cortex/v1/ModelInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface ListModelsResponse {
  'models'?: (_cortex_v1_ModelInfo)[];
  'next_page_token'?: (string);
  'total'?: (number);
  /**
   * Bytes on disk of every matching model, shared HF blobs counted once.
   */
  'total_size_bytes'?: (number | string | Long);
  /**
   * Folders that could not be read, links not followed, unreadable manifests.
   */
  'warnings'?: (string)[];
}

export interface ListModelsResponse__Output {
  'models': (_cortex_v1_ModelInfo__Output)[];
  'next_page_token': (string);
  'total': (number);
  /**
   * Bytes on disk of every matching model, shared HF blobs counted once.
   */
  'total_size_bytes': (number);
  /**
   * Folders that could not be read, links not followed, unreadable manifests.
   */
  'warnings': (string)[];
}

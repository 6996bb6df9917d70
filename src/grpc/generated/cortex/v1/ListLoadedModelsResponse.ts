// Original file: proto/cortex/v1/inference.proto

import type { LoadedModel as _cortex_v1_LoadedModel, LoadedModel__Output as _cortex_v1_LoadedModel__Output } from '../../cortex/v1/LoadedModel.js';
import type { Long } from '@grpc/proto-loader';

export interface ListLoadedModelsResponse {
  'models'?: (_cortex_v1_LoadedModel)[];
  'budget_bytes'?: (number | string | Long);
  'used_bytes'?: (number | string | Long);
  /**
   * Memory models can use: unified memory on Apple Silicon, RAM + VRAM elsewhere.
   */
  'total_bytes'?: (number | string | Long);
  'reserve_bytes'?: (number | string | Long);
  'unified_memory'?: (boolean);
  /**
   * GPU backend of the runners ("metal", "cuda", "vulkan"), empty for CPU only or before the first load.
   */
  'gpu'?: (string);
}

export interface ListLoadedModelsResponse__Output {
  'models': (_cortex_v1_LoadedModel__Output)[];
  'budget_bytes': (number);
  'used_bytes': (number);
  /**
   * Memory models can use: unified memory on Apple Silicon, RAM + VRAM elsewhere.
   */
  'total_bytes': (number);
  'reserve_bytes': (number);
  'unified_memory': (boolean);
  /**
   * GPU backend of the runners ("metal", "cuda", "vulkan"), empty for CPU only or before the first load.
   */
  'gpu': (string);
}

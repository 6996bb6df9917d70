// Original file: proto/cortex/v1/models.proto

import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';
import type { ModelFormat as _cortex_v1_ModelFormat, ModelFormat__Output as _cortex_v1_ModelFormat__Output } from '../../cortex/v1/ModelFormat.js';
import type { Long } from '@grpc/proto-loader';

export interface CleanRequest {
  'tags'?: (string)[];
  'quantizations'?: (_cortex_v1_Quantization)[];
  'formats'?: (_cortex_v1_ModelFormat)[];
  /**
   * Last used before now minus this many seconds.
   */
  'older_than_seconds'?: (number | string | Long);
  'larger_than_bytes'?: (number | string | Long);
  /**
   * Also consider models in the HF cache (default: cortex's own folders only).
   */
  'include_hf_cache'?: (boolean);
  /**
   * Also consider models in the extra model folders (CORTEX_MODEL_DIRS).
   */
  'include_model_dirs'?: (boolean);
  /**
   * ApplyClean: the plan_token of the preview; nothing is deleted when the selection (or a selected model's
   * size or last use) changed since.
   */
  'expect_plan_token'?: (string);
  /**
   * Weight bit widths, as in ListModelsRequest.bits (with `quantizations`: any of them). An UNSPECIFIED or
   * unknown value in any filter list is INVALID_ARGUMENT.
   */
  'bits'?: (number)[];
}

export interface CleanRequest__Output {
  'tags': (string)[];
  'quantizations': (_cortex_v1_Quantization__Output)[];
  'formats': (_cortex_v1_ModelFormat__Output)[];
  /**
   * Last used before now minus this many seconds.
   */
  'older_than_seconds': (number);
  'larger_than_bytes': (number);
  /**
   * Also consider models in the HF cache (default: cortex's own folders only).
   */
  'include_hf_cache': (boolean);
  /**
   * Also consider models in the extra model folders (CORTEX_MODEL_DIRS).
   */
  'include_model_dirs': (boolean);
  /**
   * ApplyClean: the plan_token of the preview; nothing is deleted when the selection (or a selected model's
   * size or last use) changed since.
   */
  'expect_plan_token': (string);
  /**
   * Weight bit widths, as in ListModelsRequest.bits (with `quantizations`: any of them). An UNSPECIFIED or
   * unknown value in any filter list is INVALID_ARGUMENT.
   */
  'bits': (number)[];
}

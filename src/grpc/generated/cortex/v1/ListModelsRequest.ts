// Original file: proto/cortex/v1/models.proto

import type { ModelFormat as _cortex_v1_ModelFormat, ModelFormat__Output as _cortex_v1_ModelFormat__Output } from '../../cortex/v1/ModelFormat.js';
import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';

export interface ListModelsRequest {
  'formats'?: (_cortex_v1_ModelFormat)[];
  'quantizations'?: (_cortex_v1_Quantization)[];
  'tags'?: (string)[];
  /**
   * Glob over id and name, e.g. "llama*".
   */
  'name_glob'?: (string);
  'page_size'?: (number);
  'page_token'?: (string);
  /**
   * "name" (default), "size", "last_used", "created", "parameters"; prefix "-" for descending.
   */
  'sort'?: (string);
  /**
   * Deprecated, ignored: broken models are always listed (broken = true, with the reason) unless exclude_broken.
   */
  'include_broken'?: (boolean);
  'exclude_broken'?: (boolean);
  /**
   * Fill ModelInfo.files (GetModel always does); off by default to keep large listings small.
   */
  'include_files'?: (boolean);
  /**
   * Weight bit widths (ModelInfo.bits): 1, 2, 3, 4, 5, 6, 8, 16, 32. Together with `quantizations` one
   * any-of criterion. Every enum value and width in a filter must be known: UNSPECIFIED or an unknown value is
   * INVALID_ARGUMENT, never "no filter".
   */
  'bits'?: (number)[];
}

export interface ListModelsRequest__Output {
  'formats': (_cortex_v1_ModelFormat__Output)[];
  'quantizations': (_cortex_v1_Quantization__Output)[];
  'tags': (string)[];
  /**
   * Glob over id and name, e.g. "llama*".
   */
  'name_glob': (string);
  'page_size': (number);
  'page_token': (string);
  /**
   * "name" (default), "size", "last_used", "created", "parameters"; prefix "-" for descending.
   */
  'sort': (string);
  /**
   * Deprecated, ignored: broken models are always listed (broken = true, with the reason) unless exclude_broken.
   */
  'include_broken': (boolean);
  'exclude_broken': (boolean);
  /**
   * Fill ModelInfo.files (GetModel always does); off by default to keep large listings small.
   */
  'include_files': (boolean);
  /**
   * Weight bit widths (ModelInfo.bits): 1, 2, 3, 4, 5, 6, 8, 16, 32. Together with `quantizations` one
   * any-of criterion. Every enum value and width in a filter must be known: UNSPECIFIED or an unknown value is
   * INVALID_ARGUMENT, never "no filter".
   */
  'bits': (number)[];
}

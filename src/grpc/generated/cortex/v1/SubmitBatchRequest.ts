// Original file: proto/cortex/v1/jobs.proto

import type { BatchItem as _cortex_v1_BatchItem, BatchItem__Output as _cortex_v1_BatchItem__Output } from '../../cortex/v1/BatchItem.js';
import type { FlowRequest as _cortex_v1_FlowRequest, FlowRequest__Output as _cortex_v1_FlowRequest__Output } from '../../cortex/v1/FlowRequest.js';

export interface SubmitBatchRequest {
  'items'?: (_cortex_v1_BatchItem)[];
  'flows'?: (_cortex_v1_FlowRequest)[];
  /**
   * Every listed model whose id or name matches this glob ("*" for all), to each of all_models_types:
   * SafeTensors checkpoints are converted in one pass per type, full-precision GGUFs quantized; models already
   * quantized (or of other formats) are skipped and reported.
   */
  'all_models_glob'?: (string);
  'all_models_types'?: (string)[];
}

export interface SubmitBatchRequest__Output {
  'items': (_cortex_v1_BatchItem__Output)[];
  'flows': (_cortex_v1_FlowRequest__Output)[];
  /**
   * Every listed model whose id or name matches this glob ("*" for all), to each of all_models_types:
   * SafeTensors checkpoints are converted in one pass per type, full-precision GGUFs quantized; models already
   * quantized (or of other formats) are skipped and reported.
   */
  'all_models_glob': (string);
  'all_models_types': (string)[];
}

// Original file: proto/cortex/v1/jobs.proto

import type { PullModelRequest as _cortex_v1_PullModelRequest, PullModelRequest__Output as _cortex_v1_PullModelRequest__Output } from '../../cortex/v1/PullModelRequest.js';
import type { ConvertModelRequest as _cortex_v1_ConvertModelRequest, ConvertModelRequest__Output as _cortex_v1_ConvertModelRequest__Output } from '../../cortex/v1/ConvertModelRequest.js';
import type { QuantizeModelRequest as _cortex_v1_QuantizeModelRequest, QuantizeModelRequest__Output as _cortex_v1_QuantizeModelRequest__Output } from '../../cortex/v1/QuantizeModelRequest.js';

export interface BatchItem {
  'pull'?: (_cortex_v1_PullModelRequest | null);
  'convert'?: (_cortex_v1_ConvertModelRequest | null);
  'quantize'?: (_cortex_v1_QuantizeModelRequest | null);
  'item'?: "pull"|"convert"|"quantize";
}

export interface BatchItem__Output {
  'pull'?: (_cortex_v1_PullModelRequest__Output | null);
  'convert'?: (_cortex_v1_ConvertModelRequest__Output | null);
  'quantize'?: (_cortex_v1_QuantizeModelRequest__Output | null);
  'item'?: "pull"|"convert"|"quantize";
}

// Original file: proto/cortex/v1/jobs.proto

import type { JobHandle as _cortex_v1_JobHandle, JobHandle__Output as _cortex_v1_JobHandle__Output } from '../../cortex/v1/JobHandle.js';

export interface SubmitBatchResponse {
  'jobs'?: (_cortex_v1_JobHandle)[];
  /**
   * Models all_models_glob matched but left alone, each "name: why".
   */
  'skipped'?: (string)[];
}

export interface SubmitBatchResponse__Output {
  'jobs': (_cortex_v1_JobHandle__Output)[];
  /**
   * Models all_models_glob matched but left alone, each "name: why".
   */
  'skipped': (string)[];
}

// Original file: proto/cortex/v1/jobs.proto

import type { JobState as _cortex_v1_JobState, JobState__Output as _cortex_v1_JobState__Output } from '../../cortex/v1/JobState.js';
import type { JobType as _cortex_v1_JobType, JobType__Output as _cortex_v1_JobType__Output } from '../../cortex/v1/JobType.js';

export interface ListJobsRequest {
  'states'?: (_cortex_v1_JobState)[];
  'types'?: (_cortex_v1_JobType)[];
  'model'?: (string);
  'limit'?: (number);
}

export interface ListJobsRequest__Output {
  'states': (_cortex_v1_JobState__Output)[];
  'types': (_cortex_v1_JobType__Output)[];
  'model': (string);
  'limit': (number);
}

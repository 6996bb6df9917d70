// Original file: proto/cortex/v1/jobs.proto

import type { Job as _cortex_v1_Job, Job__Output as _cortex_v1_Job__Output } from '../../cortex/v1/Job.js';

export interface ListJobsResponse {
  'jobs'?: (_cortex_v1_Job)[];
}

export interface ListJobsResponse__Output {
  'jobs': (_cortex_v1_Job__Output)[];
}

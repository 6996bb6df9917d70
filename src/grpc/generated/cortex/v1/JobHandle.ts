// Original file: proto/cortex/v1/jobs.proto

import type { Job as _cortex_v1_Job, Job__Output as _cortex_v1_Job__Output } from '../../cortex/v1/Job.js';

export interface JobHandle {
  'job_id'?: (string);
  /**
   * True when an identical job already existed and this request joined it.
   */
  'deduplicated'?: (boolean);
  'job'?: (_cortex_v1_Job | null);
}

export interface JobHandle__Output {
  'job_id': (string);
  /**
   * True when an identical job already existed and this request joined it.
   */
  'deduplicated': (boolean);
  'job': (_cortex_v1_Job__Output | null);
}

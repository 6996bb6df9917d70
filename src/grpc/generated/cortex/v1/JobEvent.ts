// Original file: proto/cortex/v1/jobs.proto

import type { Job as _cortex_v1_Job, Job__Output as _cortex_v1_Job__Output } from '../../cortex/v1/Job.js';

export interface JobEvent {
  'job'?: (_cortex_v1_Job | null);
  /**
   * True on the last event of the stream.
   */
  'final'?: (boolean);
}

export interface JobEvent__Output {
  'job': (_cortex_v1_Job__Output | null);
  /**
   * True on the last event of the stream.
   */
  'final': (boolean);
}

// Original file: proto/cortex/v1/jobs.proto

import type { JobType as _cortex_v1_JobType, JobType__Output as _cortex_v1_JobType__Output } from '../../cortex/v1/JobType.js';
import type { JobState as _cortex_v1_JobState, JobState__Output as _cortex_v1_JobState__Output } from '../../cortex/v1/JobState.js';
import type { JobProgress as _cortex_v1_JobProgress, JobProgress__Output as _cortex_v1_JobProgress__Output } from '../../cortex/v1/JobProgress.js';

export interface Job {
  'id'?: (string);
  'type'?: (_cortex_v1_JobType);
  'state'?: (_cortex_v1_JobState);
  'queue'?: (string);
  /**
   * Model or repo the job is about.
   */
  'model'?: (string);
  'progress'?: (_cortex_v1_JobProgress | null);
  'attempts_made'?: (number);
  'max_attempts'?: (number);
  'created_at'?: (string);
  'started_at'?: (string);
  'finished_at'?: (string);
  /**
   * Error code (cortex taxonomy) and message when FAILED or CANCELLED.
   */
  'error_code'?: (string);
  'error_message'?: (string);
  /**
   * JSON result (e.g. output model id and path) when COMPLETED.
   */
  'result_json'?: (string);
  'child_job_ids'?: (string)[];
  'parent_job_id'?: (string);
  /**
   * JSON of the request parameters, secrets removed.
   */
  'params_json'?: (string);
}

export interface Job__Output {
  'id': (string);
  'type': (_cortex_v1_JobType__Output);
  'state': (_cortex_v1_JobState__Output);
  'queue': (string);
  /**
   * Model or repo the job is about.
   */
  'model': (string);
  'progress': (_cortex_v1_JobProgress__Output | null);
  'attempts_made': (number);
  'max_attempts': (number);
  'created_at': (string);
  'started_at': (string);
  'finished_at': (string);
  /**
   * Error code (cortex taxonomy) and message when FAILED or CANCELLED.
   */
  'error_code': (string);
  'error_message': (string);
  /**
   * JSON result (e.g. output model id and path) when COMPLETED.
   */
  'result_json': (string);
  'child_job_ids': (string)[];
  'parent_job_id': (string);
  /**
   * JSON of the request parameters, secrets removed.
   */
  'params_json': (string);
}

// Original file: proto/cortex/v1/jobs.proto


export interface RetryJobRequest {
  'job_id'?: (string);
}

export interface RetryJobRequest__Output {
  'job_id': (string);
}

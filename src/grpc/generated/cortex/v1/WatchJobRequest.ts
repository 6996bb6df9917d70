// Original file: proto/cortex/v1/jobs.proto


export interface WatchJobRequest {
  'job_id'?: (string);
}

export interface WatchJobRequest__Output {
  'job_id': (string);
}

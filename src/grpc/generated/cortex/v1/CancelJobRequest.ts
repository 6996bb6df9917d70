// Original file: proto/cortex/v1/jobs.proto


export interface CancelJobRequest {
  'job_id'?: (string);
  'reason'?: (string);
}

export interface CancelJobRequest__Output {
  'job_id': (string);
  'reason': (string);
}

// Original file: proto/cortex/v1/jobs.proto


export interface GetJobRequest {
  'job_id'?: (string);
}

export interface GetJobRequest__Output {
  'job_id': (string);
}

// Original file: proto/cortex/v1/jobs.proto

export const JobType = {
  JOB_TYPE_UNSPECIFIED: 'JOB_TYPE_UNSPECIFIED',
  JOB_TYPE_PULL: 'JOB_TYPE_PULL',
  JOB_TYPE_CONVERT: 'JOB_TYPE_CONVERT',
  JOB_TYPE_QUANTIZE: 'JOB_TYPE_QUANTIZE',
  JOB_TYPE_FUSE: 'JOB_TYPE_FUSE',
  JOB_TYPE_FLOW: 'JOB_TYPE_FLOW',
  JOB_TYPE_PUSH: 'JOB_TYPE_PUSH',
} as const;

export type JobType =
  | 'JOB_TYPE_UNSPECIFIED'
  | 0
  | 'JOB_TYPE_PULL'
  | 1
  | 'JOB_TYPE_CONVERT'
  | 2
  | 'JOB_TYPE_QUANTIZE'
  | 3
  | 'JOB_TYPE_FUSE'
  | 4
  | 'JOB_TYPE_FLOW'
  | 5
  | 'JOB_TYPE_PUSH'
  | 6

export type JobType__Output = typeof JobType[keyof typeof JobType]

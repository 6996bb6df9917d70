// Original file: proto/cortex/v1/jobs.proto

export const TargetFormat = {
  TARGET_FORMAT_UNSPECIFIED: 'TARGET_FORMAT_UNSPECIFIED',
  TARGET_FORMAT_GGUF: 'TARGET_FORMAT_GGUF',
  TARGET_FORMAT_MLX: 'TARGET_FORMAT_MLX',
} as const;

export type TargetFormat =
  | 'TARGET_FORMAT_UNSPECIFIED'
  | 0
  | 'TARGET_FORMAT_GGUF'
  | 1
  | 'TARGET_FORMAT_MLX'
  | 2

export type TargetFormat__Output = typeof TargetFormat[keyof typeof TargetFormat]

// Original file: proto/cortex/v1/common.proto

/**
 * On-disk format of a model, detected from file-system evidence.
 */
export const ModelFormat = {
  MODEL_FORMAT_UNSPECIFIED: 'MODEL_FORMAT_UNSPECIFIED',
  MODEL_FORMAT_GGUF: 'MODEL_FORMAT_GGUF',
  MODEL_FORMAT_MLX: 'MODEL_FORMAT_MLX',
  MODEL_FORMAT_SAFETENSORS: 'MODEL_FORMAT_SAFETENSORS',
  MODEL_FORMAT_PYTORCH: 'MODEL_FORMAT_PYTORCH',
  MODEL_FORMAT_GPTQ: 'MODEL_FORMAT_GPTQ',
  MODEL_FORMAT_AWQ: 'MODEL_FORMAT_AWQ',
  MODEL_FORMAT_BITSANDBYTES: 'MODEL_FORMAT_BITSANDBYTES',
  MODEL_FORMAT_COMPRESSED_TENSORS: 'MODEL_FORMAT_COMPRESSED_TENSORS',
  MODEL_FORMAT_LORA_ADAPTER: 'MODEL_FORMAT_LORA_ADAPTER',
} as const;

/**
 * On-disk format of a model, detected from file-system evidence.
 */
export type ModelFormat =
  | 'MODEL_FORMAT_UNSPECIFIED'
  | 0
  | 'MODEL_FORMAT_GGUF'
  | 1
  | 'MODEL_FORMAT_MLX'
  | 2
  | 'MODEL_FORMAT_SAFETENSORS'
  | 3
  | 'MODEL_FORMAT_PYTORCH'
  | 4
  | 'MODEL_FORMAT_GPTQ'
  | 5
  | 'MODEL_FORMAT_AWQ'
  | 6
  | 'MODEL_FORMAT_BITSANDBYTES'
  | 7
  | 'MODEL_FORMAT_COMPRESSED_TENSORS'
  | 8
  | 'MODEL_FORMAT_LORA_ADAPTER'
  | 9

/**
 * On-disk format of a model, detected from file-system evidence.
 */
export type ModelFormat__Output = typeof ModelFormat[keyof typeof ModelFormat]

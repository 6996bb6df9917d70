// Original file: proto/cortex/v1/common.proto

/**
 * Quantization of a model's weights. GGUF file types keep llama.cpp's names.
 */
export const Quantization = {
  QUANTIZATION_UNSPECIFIED: 'QUANTIZATION_UNSPECIFIED',
  QUANTIZATION_NONE: 'QUANTIZATION_NONE',
  QUANTIZATION_FP32: 'QUANTIZATION_FP32',
  QUANTIZATION_FP16: 'QUANTIZATION_FP16',
  QUANTIZATION_BF16: 'QUANTIZATION_BF16',
  QUANTIZATION_INT8: 'QUANTIZATION_INT8',
  QUANTIZATION_INT4: 'QUANTIZATION_INT4',
  QUANTIZATION_GPTQ: 'QUANTIZATION_GPTQ',
  QUANTIZATION_AWQ: 'QUANTIZATION_AWQ',
  /**
   * FP8 weights (float8 e4m3/e5m2 safetensors, quant_method fp8, compressed-tensors float).
   */
  QUANTIZATION_FP8: 'QUANTIZATION_FP8',
  QUANTIZATION_Q8_0: 'QUANTIZATION_Q8_0',
  QUANTIZATION_Q6_K: 'QUANTIZATION_Q6_K',
  QUANTIZATION_Q5_K_M: 'QUANTIZATION_Q5_K_M',
  QUANTIZATION_Q5_K_S: 'QUANTIZATION_Q5_K_S',
  QUANTIZATION_Q5_0: 'QUANTIZATION_Q5_0',
  QUANTIZATION_Q5_1: 'QUANTIZATION_Q5_1',
  QUANTIZATION_Q4_K_M: 'QUANTIZATION_Q4_K_M',
  QUANTIZATION_Q4_K_S: 'QUANTIZATION_Q4_K_S',
  QUANTIZATION_Q4_0: 'QUANTIZATION_Q4_0',
  QUANTIZATION_Q4_1: 'QUANTIZATION_Q4_1',
  QUANTIZATION_Q3_K_M: 'QUANTIZATION_Q3_K_M',
  QUANTIZATION_Q3_K_S: 'QUANTIZATION_Q3_K_S',
  QUANTIZATION_Q3_K_L: 'QUANTIZATION_Q3_K_L',
  QUANTIZATION_Q2_K: 'QUANTIZATION_Q2_K',
  QUANTIZATION_GGUF_OTHER: 'QUANTIZATION_GGUF_OTHER',
  /**
   * MLX affine quantization; bits and group size travel in MlxQuantization.
   */
  QUANTIZATION_MLX_AFFINE: 'QUANTIZATION_MLX_AFFINE',
  /**
   * MLX floating-point block modes (group 32/16; bits implied).
   */
  QUANTIZATION_MLX_MXFP4: 'QUANTIZATION_MLX_MXFP4',
  QUANTIZATION_MLX_NVFP4: 'QUANTIZATION_MLX_NVFP4',
  QUANTIZATION_MLX_MXFP8: 'QUANTIZATION_MLX_MXFP8',
} as const;

/**
 * Quantization of a model's weights. GGUF file types keep llama.cpp's names.
 */
export type Quantization =
  | 'QUANTIZATION_UNSPECIFIED'
  | 0
  | 'QUANTIZATION_NONE'
  | 1
  | 'QUANTIZATION_FP32'
  | 2
  | 'QUANTIZATION_FP16'
  | 3
  | 'QUANTIZATION_BF16'
  | 4
  | 'QUANTIZATION_INT8'
  | 5
  | 'QUANTIZATION_INT4'
  | 6
  | 'QUANTIZATION_GPTQ'
  | 7
  | 'QUANTIZATION_AWQ'
  | 8
  /**
   * FP8 weights (float8 e4m3/e5m2 safetensors, quant_method fp8, compressed-tensors float).
   */
  | 'QUANTIZATION_FP8'
  | 9
  | 'QUANTIZATION_Q8_0'
  | 20
  | 'QUANTIZATION_Q6_K'
  | 21
  | 'QUANTIZATION_Q5_K_M'
  | 22
  | 'QUANTIZATION_Q5_K_S'
  | 23
  | 'QUANTIZATION_Q5_0'
  | 24
  | 'QUANTIZATION_Q5_1'
  | 25
  | 'QUANTIZATION_Q4_K_M'
  | 26
  | 'QUANTIZATION_Q4_K_S'
  | 27
  | 'QUANTIZATION_Q4_0'
  | 28
  | 'QUANTIZATION_Q4_1'
  | 29
  | 'QUANTIZATION_Q3_K_M'
  | 30
  | 'QUANTIZATION_Q3_K_S'
  | 31
  | 'QUANTIZATION_Q3_K_L'
  | 32
  | 'QUANTIZATION_Q2_K'
  | 33
  | 'QUANTIZATION_GGUF_OTHER'
  | 39
  /**
   * MLX affine quantization; bits and group size travel in MlxQuantization.
   */
  | 'QUANTIZATION_MLX_AFFINE'
  | 40
  /**
   * MLX floating-point block modes (group 32/16; bits implied).
   */
  | 'QUANTIZATION_MLX_MXFP4'
  | 41
  | 'QUANTIZATION_MLX_NVFP4'
  | 42
  | 'QUANTIZATION_MLX_MXFP8'
  | 43

/**
 * Quantization of a model's weights. GGUF file types keep llama.cpp's names.
 */
export type Quantization__Output = typeof Quantization[keyof typeof Quantization]

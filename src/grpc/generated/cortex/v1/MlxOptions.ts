// Original file: proto/cortex/v1/jobs.proto


export interface MlxOptions {
  /**
   * "float16", "bfloat16", "float32"; empty = as mlx-lm decides.
   */
  'dtype'?: (string);
  /**
   * 0 = no quantization; 2, 3, 4, 5, 6, 8.
   */
  'bits'?: (number);
  /**
   * 32, 64, 128.
   */
  'group_size'?: (number);
  /**
   * "", "mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6", "auto" (by model size).
   */
  'recipe'?: (string);
  'quantize'?: (boolean);
  /**
   * "maximum" forces 4-bit in the size recipe.
   */
  'gpu_optimization_level'?: (string);
}

export interface MlxOptions__Output {
  /**
   * "float16", "bfloat16", "float32"; empty = as mlx-lm decides.
   */
  'dtype': (string);
  /**
   * 0 = no quantization; 2, 3, 4, 5, 6, 8.
   */
  'bits': (number);
  /**
   * 32, 64, 128.
   */
  'group_size': (number);
  /**
   * "", "mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6", "auto" (by model size).
   */
  'recipe': (string);
  'quantize': (boolean);
  /**
   * "maximum" forces 4-bit in the size recipe.
   */
  'gpu_optimization_level': (string);
}

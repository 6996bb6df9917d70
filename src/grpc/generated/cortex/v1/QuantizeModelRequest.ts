// Original file: proto/cortex/v1/jobs.proto

import type { MlxOptions as _cortex_v1_MlxOptions, MlxOptions__Output as _cortex_v1_MlxOptions__Output } from '../../cortex/v1/MlxOptions.js';

export interface QuantizeModelRequest {
  'model'?: (string);
  /**
   * GGUF: Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q4_1, Q5_0, Q5_1, Q3_K_M, Q2_K, F16, BF16.
   * MLX: "mlx" with MlxOptions.
   */
  'type'?: (string);
  'mlx'?: (_cortex_v1_MlxOptions | null);
  'output_name'?: (string);
  'threads'?: (number);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite'?: (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key'?: (string);
  /**
   * As ConvertModelRequest.destination.
   */
  'destination'?: (string);
}

export interface QuantizeModelRequest__Output {
  'model': (string);
  /**
   * GGUF: Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q4_1, Q5_0, Q5_1, Q3_K_M, Q2_K, F16, BF16.
   * MLX: "mlx" with MlxOptions.
   */
  'type': (string);
  'mlx': (_cortex_v1_MlxOptions__Output | null);
  'output_name': (string);
  'threads': (number);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite': (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key': (string);
  /**
   * As ConvertModelRequest.destination.
   */
  'destination': (string);
}

// Original file: proto/cortex/v1/models.proto

import type { ModelFormat as _cortex_v1_ModelFormat, ModelFormat__Output as _cortex_v1_ModelFormat__Output } from '../../cortex/v1/ModelFormat.js';
import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';
import type { Long } from '@grpc/proto-loader';

export interface ModelComponent {
  /**
   * The part's folder or sub-config name: "transformer", "text_encoder_2", "vae", "decoder".
   */
  'name'?: (string);
  /**
   * Its class as the repo declares it: "FluxTransformer2DModel", "CLIPTokenizer", "T5EncoderModel".
   */
  'class_name'?: (string);
  /**
   * UNSPECIFIED for parts without weights (tokenizers, schedulers).
   */
  'format'?: (_cortex_v1_ModelFormat);
  'quantization'?: (_cortex_v1_Quantization);
  /**
   * "bf16", "mlx-4bit-g64"; empty for parts without weights.
   */
  'quantization_label'?: (string);
  'bits'?: (number);
  'parameter_count'?: (number | string | Long);
  'size_bytes'?: (number | string | Long);
  /**
   * The part's folder inside the model ("transformer"), or the tensor-name prefix ("decoder.") of a single file.
   */
  'path'?: (string);
}

export interface ModelComponent__Output {
  /**
   * The part's folder or sub-config name: "transformer", "text_encoder_2", "vae", "decoder".
   */
  'name': (string);
  /**
   * Its class as the repo declares it: "FluxTransformer2DModel", "CLIPTokenizer", "T5EncoderModel".
   */
  'class_name': (string);
  /**
   * UNSPECIFIED for parts without weights (tokenizers, schedulers).
   */
  'format': (_cortex_v1_ModelFormat__Output);
  'quantization': (_cortex_v1_Quantization__Output);
  /**
   * "bf16", "mlx-4bit-g64"; empty for parts without weights.
   */
  'quantization_label': (string);
  'bits': (number);
  'parameter_count': (number);
  'size_bytes': (number);
  /**
   * The part's folder inside the model ("transformer"), or the tensor-name prefix ("decoder.") of a single file.
   */
  'path': (string);
}

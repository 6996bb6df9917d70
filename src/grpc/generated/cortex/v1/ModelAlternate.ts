// Original file: proto/cortex/v1/models.proto

import type { Long } from '@grpc/proto-loader';

export interface ModelAlternate {
  /**
   * Path inside the model ("flux1-schnell.safetensors").
   */
  'path'?: (string);
  'size_bytes'?: (number | string | Long);
  /**
   * "single-file checkpoint (ComfyUI layout) of the same weights", "legacy PyTorch pickle".
   */
  'description'?: (string);
}

export interface ModelAlternate__Output {
  /**
   * Path inside the model ("flux1-schnell.safetensors").
   */
  'path': (string);
  'size_bytes': (number);
  /**
   * "single-file checkpoint (ComfyUI layout) of the same weights", "legacy PyTorch pickle".
   */
  'description': (string);
}

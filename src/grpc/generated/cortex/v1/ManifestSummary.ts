// Original file: proto/cortex/v1/models.proto

import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';
import type { Long } from '@grpc/proto-loader';

export interface ManifestSummary {
  'model_id'?: (string);
  'path'?: (string);
  'source_repo'?: (string);
  'source_revision'?: (string);
  'files'?: (number);
  'size_bytes'?: (number | string | Long);
  'orphan'?: (boolean);
  'updated_at'?: (string);
  'quantization'?: (_cortex_v1_Quantization);
  'tags'?: (string)[];
  'name'?: (string);
  /**
   * The whole manifest file (schemaVersion, provenance with files and sha256, converted-from chain, LoRA …).
   */
  'manifest_json'?: (string);
  'last_used_at'?: (string);
}

export interface ManifestSummary__Output {
  'model_id': (string);
  'path': (string);
  'source_repo': (string);
  'source_revision': (string);
  'files': (number);
  'size_bytes': (number);
  'orphan': (boolean);
  'updated_at': (string);
  'quantization': (_cortex_v1_Quantization__Output);
  'tags': (string)[];
  'name': (string);
  /**
   * The whole manifest file (schemaVersion, provenance with files and sha256, converted-from chain, LoRA …).
   */
  'manifest_json': (string);
  'last_used_at': (string);
}

// Original file: proto/cortex/v1/models.proto

import type { ModelFormat as _cortex_v1_ModelFormat, ModelFormat__Output as _cortex_v1_ModelFormat__Output } from '../../cortex/v1/ModelFormat.js';
import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';
import type { MlxQuantization as _cortex_v1_MlxQuantization, MlxQuantization__Output as _cortex_v1_MlxQuantization__Output } from '../../cortex/v1/MlxQuantization.js';
import type { LoraInfo as _cortex_v1_LoraInfo, LoraInfo__Output as _cortex_v1_LoraInfo__Output } from '../../cortex/v1/LoraInfo.js';
import type { ModelFile as _cortex_v1_ModelFile, ModelFile__Output as _cortex_v1_ModelFile__Output } from '../../cortex/v1/ModelFile.js';
import type { Long } from '@grpc/proto-loader';

export interface ModelInfo {
  'id'?: (string);
  'name'?: (string);
  'paths'?: (string)[];
  'format'?: (_cortex_v1_ModelFormat);
  'quantization'?: (_cortex_v1_Quantization);
  'mlx_quantization'?: (_cortex_v1_MlxQuantization | null);
  'architecture'?: (string);
  'parameter_count'?: (number | string | Long);
  'context_length'?: (number);
  'vocab_size'?: (number);
  'size_bytes'?: (number | string | Long);
  'estimated_memory_bytes'?: (number | string | Long);
  'source_repo'?: (string);
  'source_revision'?: (string);
  'tags'?: (string)[];
  'last_used_at'?: (string);
  /**
   * "cortex", "hf-cache" or "extra".
   */
  'root'?: (string);
  'broken'?: (boolean);
  'broken_reason'?: (string);
  'lora'?: (_cortex_v1_LoraInfo | null);
  'files'?: (_cortex_v1_ModelFile)[];
  'created_at'?: (string);
  /**
   * Human name of the quantization, e.g. "Q4_K_M" or "mlx-4bit-g64".
   */
  'quantization_label'?: (string);
  /**
   * HF cache: the refs pointing at this revision ("main", "refs/pr/1"); empty = detached.
   */
  'hf_refs'?: (string)[];
  /**
   * "gguf" (a file, or split parts) or "folder".
   */
  'kind'?: (string);
}

export interface ModelInfo__Output {
  'id': (string);
  'name': (string);
  'paths': (string)[];
  'format': (_cortex_v1_ModelFormat__Output);
  'quantization': (_cortex_v1_Quantization__Output);
  'mlx_quantization': (_cortex_v1_MlxQuantization__Output | null);
  'architecture': (string);
  'parameter_count': (number);
  'context_length': (number);
  'vocab_size': (number);
  'size_bytes': (number);
  'estimated_memory_bytes': (number);
  'source_repo': (string);
  'source_revision': (string);
  'tags': (string)[];
  'last_used_at': (string);
  /**
   * "cortex", "hf-cache" or "extra".
   */
  'root': (string);
  'broken': (boolean);
  'broken_reason': (string);
  'lora': (_cortex_v1_LoraInfo__Output | null);
  'files': (_cortex_v1_ModelFile__Output)[];
  'created_at': (string);
  /**
   * Human name of the quantization, e.g. "Q4_K_M" or "mlx-4bit-g64".
   */
  'quantization_label': (string);
  /**
   * HF cache: the refs pointing at this revision ("main", "refs/pr/1"); empty = detached.
   */
  'hf_refs': (string)[];
  /**
   * "gguf" (a file, or split parts) or "folder".
   */
  'kind': (string);
}

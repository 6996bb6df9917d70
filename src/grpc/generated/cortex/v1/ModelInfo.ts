// Original file: proto/cortex/v1/models.proto

import type { ModelFormat as _cortex_v1_ModelFormat, ModelFormat__Output as _cortex_v1_ModelFormat__Output } from '../../cortex/v1/ModelFormat.js';
import type { Quantization as _cortex_v1_Quantization, Quantization__Output as _cortex_v1_Quantization__Output } from '../../cortex/v1/Quantization.js';
import type { MlxQuantization as _cortex_v1_MlxQuantization, MlxQuantization__Output as _cortex_v1_MlxQuantization__Output } from '../../cortex/v1/MlxQuantization.js';
import type { LoraInfo as _cortex_v1_LoraInfo, LoraInfo__Output as _cortex_v1_LoraInfo__Output } from '../../cortex/v1/LoraInfo.js';
import type { ModelFile as _cortex_v1_ModelFile, ModelFile__Output as _cortex_v1_ModelFile__Output } from '../../cortex/v1/ModelFile.js';
import type { ModelComponent as _cortex_v1_ModelComponent, ModelComponent__Output as _cortex_v1_ModelComponent__Output } from '../../cortex/v1/ModelComponent.js';
import type { ModelAlternate as _cortex_v1_ModelAlternate, ModelAlternate__Output as _cortex_v1_ModelAlternate__Output } from '../../cortex/v1/ModelAlternate.js';
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
  /**
   * Memory (RAM + VRAM) to load it with the daemon's default load settings: contextSize tokens (4096 by default;
   * context_length when smaller) × parallel sequences (4 by default). The inference pool's own estimate: LoadModel
   * reports the same for a load with default options. 0 = unknown (broken, no weights).
   */
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
  /**
   * The weights' bit width as users say it ("a 4-bit model"), whatever the format: GGUF Q4_* (K-quant mixes
   * included) → 4, Q8_0 → 8, IQ2_* → 2; MLX affine → its bits, mxfp4/nvfp4 → 4, mxfp8 → 8; GPTQ/AWQ/
   * compressed-tensors → their bits; bitsandbytes INT4 → 4, INT8 → 8; FP8 → 8; F16/BF16 → 16; F32 → 32.
   * 0 = the files do not say. Filters (`bits`) match this value.
   */
  'bits'?: (number);
  /**
   * Mixed recipes (MLX mixed_3_6, per-layer overrides): the narrowest and widest width; equal to `bits` otherwise.
   */
  'bits_low'?: (number);
  'bits_high'?: (number);
  /**
   * An HF snapshot a running pull is still writing: its files are incomplete (not `broken`), and jobs refuse it as
   * a source (FAILED_PRECONDITION) until the pull ends.
   */
  'downloading'?: (boolean);
  /**
   * Multi-component models (a diffusers pipeline, a flux.swift MLX folder, MusicGen's sub-models): one entry per
   * part. The model's parameter_count, size_bytes and estimated_memory_bytes are their sums.
   */
  'components'?: (_cortex_v1_ModelComponent)[];
  /**
   * Other layouts of the same weights kept in the same repo or folder (FLUX's single-file flux1-schnell.safetensors
   * and ae.safetensors beside the diffusers folders, MusicGen's legacy pickles): on disk, not loaded.
   */
  'alternates'?: (_cortex_v1_ModelAlternate)[];
  /**
   * The quantization in words, e.g. "MLX affine, 4-bit, group size 64" (quantization says INT4).
   */
  'quantization_detail'?: (string);
  /**
   * What a user should know about this model, e.g. "config.json only: no weights yet".
   */
  'notes'?: (string)[];
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
  /**
   * Memory (RAM + VRAM) to load it with the daemon's default load settings: contextSize tokens (4096 by default;
   * context_length when smaller) × parallel sequences (4 by default). The inference pool's own estimate: LoadModel
   * reports the same for a load with default options. 0 = unknown (broken, no weights).
   */
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
  /**
   * The weights' bit width as users say it ("a 4-bit model"), whatever the format: GGUF Q4_* (K-quant mixes
   * included) → 4, Q8_0 → 8, IQ2_* → 2; MLX affine → its bits, mxfp4/nvfp4 → 4, mxfp8 → 8; GPTQ/AWQ/
   * compressed-tensors → their bits; bitsandbytes INT4 → 4, INT8 → 8; FP8 → 8; F16/BF16 → 16; F32 → 32.
   * 0 = the files do not say. Filters (`bits`) match this value.
   */
  'bits': (number);
  /**
   * Mixed recipes (MLX mixed_3_6, per-layer overrides): the narrowest and widest width; equal to `bits` otherwise.
   */
  'bits_low': (number);
  'bits_high': (number);
  /**
   * An HF snapshot a running pull is still writing: its files are incomplete (not `broken`), and jobs refuse it as
   * a source (FAILED_PRECONDITION) until the pull ends.
   */
  'downloading': (boolean);
  /**
   * Multi-component models (a diffusers pipeline, a flux.swift MLX folder, MusicGen's sub-models): one entry per
   * part. The model's parameter_count, size_bytes and estimated_memory_bytes are their sums.
   */
  'components': (_cortex_v1_ModelComponent__Output)[];
  /**
   * Other layouts of the same weights kept in the same repo or folder (FLUX's single-file flux1-schnell.safetensors
   * and ae.safetensors beside the diffusers folders, MusicGen's legacy pickles): on disk, not loaded.
   */
  'alternates': (_cortex_v1_ModelAlternate__Output)[];
  /**
   * The quantization in words, e.g. "MLX affine, 4-bit, group size 64" (quantization says INT4).
   */
  'quantization_detail': (string);
  /**
   * What a user should know about this model, e.g. "config.json only: no weights yet".
   */
  'notes': (string)[];
}

// Original file: proto/cortex/v1/jobs.proto

import type { TargetFormat as _cortex_v1_TargetFormat, TargetFormat__Output as _cortex_v1_TargetFormat__Output } from '../../cortex/v1/TargetFormat.js';
import type { MlxOptions as _cortex_v1_MlxOptions, MlxOptions__Output as _cortex_v1_MlxOptions__Output } from '../../cortex/v1/MlxOptions.js';

export interface ConvertModelRequest {
  /**
   * Model id from ListModels, a path, or "org/name[@rev]" in the HF cache.
   */
  'source'?: (string);
  'target'?: (_cortex_v1_TargetFormat);
  /**
   * GGUF: "f32", "f16", "bf16", "q8_0", or any QuantizeModel type for one-pass.
   */
  'outtype'?: (string);
  'mlx'?: (_cortex_v1_MlxOptions | null);
  /**
   * Output name; default derived from the source.
   */
  'output_name'?: (string);
  /**
   * Keep the F16 intermediate of a two-pass GGUF quantization.
   */
  'keep_intermediate'?: (boolean);
  /**
   * Replace an existing output of the same name (never one a running job or the inference pool holds); without it
   * an existing output is ALREADY_EXISTS (REG_EXISTS).
   */
  'overwrite'?: (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key'?: (string);
  /**
   * Where the output goes: "" or "local" (this daemon's home, its own workers), "shared:<dir>" (under a shared
   * root every fleet worker mounts) or "hub:<org>/<repo>[@branch]". Non-local jobs run on any `cortex worker`
   * with the target's capability; their source must be org/name@commit or a path under a shared root.
   */
  'destination'?: (string);
}

export interface ConvertModelRequest__Output {
  /**
   * Model id from ListModels, a path, or "org/name[@rev]" in the HF cache.
   */
  'source': (string);
  'target': (_cortex_v1_TargetFormat__Output);
  /**
   * GGUF: "f32", "f16", "bf16", "q8_0", or any QuantizeModel type for one-pass.
   */
  'outtype': (string);
  'mlx': (_cortex_v1_MlxOptions__Output | null);
  /**
   * Output name; default derived from the source.
   */
  'output_name': (string);
  /**
   * Keep the F16 intermediate of a two-pass GGUF quantization.
   */
  'keep_intermediate': (boolean);
  /**
   * Replace an existing output of the same name (never one a running job or the inference pool holds); without it
   * an existing output is ALREADY_EXISTS (REG_EXISTS).
   */
  'overwrite': (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key': (string);
  /**
   * Where the output goes: "" or "local" (this daemon's home, its own workers), "shared:<dir>" (under a shared
   * root every fleet worker mounts) or "hub:<org>/<repo>[@branch]". Non-local jobs run on any `cortex worker`
   * with the target's capability; their source must be org/name@commit or a path under a shared root.
   */
  'destination': (string);
}

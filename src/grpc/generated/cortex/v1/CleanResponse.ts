// Original file: proto/cortex/v1/models.proto

import type { CleanCandidate as _cortex_v1_CleanCandidate, CleanCandidate__Output as _cortex_v1_CleanCandidate__Output } from '../../cortex/v1/CleanCandidate.js';
import type { Long } from '@grpc/proto-loader';

export interface CleanResponse {
  'candidates'?: (_cortex_v1_CleanCandidate)[];
  'reclaimable_bytes'?: (number | string | Long);
  /**
   * Only set by ApplyClean.
   */
  'freed_bytes'?: (number | string | Long);
  'applied'?: (boolean);
  /**
   * Digest of the candidates, for ApplyClean's expect_plan_token.
   */
  'plan_token'?: (string);
  /**
   * Matched the filters but in use (loaded, or used by a job): never deleted.
   */
  'skipped'?: (_cortex_v1_CleanCandidate)[];
  /**
   * ApplyClean: candidates whose deletion failed, with why.
   */
  'failed'?: (string)[];
}

export interface CleanResponse__Output {
  'candidates': (_cortex_v1_CleanCandidate__Output)[];
  'reclaimable_bytes': (number);
  /**
   * Only set by ApplyClean.
   */
  'freed_bytes': (number);
  'applied': (boolean);
  /**
   * Digest of the candidates, for ApplyClean's expect_plan_token.
   */
  'plan_token': (string);
  /**
   * Matched the filters but in use (loaded, or used by a job): never deleted.
   */
  'skipped': (_cortex_v1_CleanCandidate__Output)[];
  /**
   * ApplyClean: candidates whose deletion failed, with why.
   */
  'failed': (string)[];
}

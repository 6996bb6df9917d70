// Original file: proto/cortex/v1/models.proto

import type { ManifestSummary as _cortex_v1_ManifestSummary, ManifestSummary__Output as _cortex_v1_ManifestSummary__Output } from '../../cortex/v1/ManifestSummary.js';

export interface SyncManifestsResponse {
  'written'?: (_cortex_v1_ManifestSummary)[];
  'orphans'?: (_cortex_v1_ManifestSummary)[];
  'warnings'?: (string)[];
}

export interface SyncManifestsResponse__Output {
  'written': (_cortex_v1_ManifestSummary__Output)[];
  'orphans': (_cortex_v1_ManifestSummary__Output)[];
  'warnings': (string)[];
}

// Original file: proto/cortex/v1/models.proto

import type { ManifestSummary as _cortex_v1_ManifestSummary, ManifestSummary__Output as _cortex_v1_ManifestSummary__Output } from '../../cortex/v1/ManifestSummary.js';

export interface ListManifestsResponse {
  'manifests'?: (_cortex_v1_ManifestSummary)[];
}

export interface ListManifestsResponse__Output {
  'manifests': (_cortex_v1_ManifestSummary__Output)[];
}

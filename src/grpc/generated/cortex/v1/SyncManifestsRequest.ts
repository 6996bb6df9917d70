// Original file: proto/cortex/v1/models.proto


export interface SyncManifestsRequest {
  'model_ids'?: (string)[];
  /**
   * Skip hashing large weight files.
   */
  'fast'?: (boolean);
  /**
   * Delete manifests whose model is gone (they are reported either way).
   */
  'prune_orphans'?: (boolean);
}

export interface SyncManifestsRequest__Output {
  'model_ids': (string)[];
  /**
   * Skip hashing large weight files.
   */
  'fast': (boolean);
  /**
   * Delete manifests whose model is gone (they are reported either way).
   */
  'prune_orphans': (boolean);
}

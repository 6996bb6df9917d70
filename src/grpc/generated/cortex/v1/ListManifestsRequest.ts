// Original file: proto/cortex/v1/models.proto


export interface ListManifestsRequest {
  /**
   * Only these models (id, name, path); all when empty.
   */
  'model_ids'?: (string)[];
}

export interface ListManifestsRequest__Output {
  /**
   * Only these models (id, name, path); all when empty.
   */
  'model_ids': (string)[];
}

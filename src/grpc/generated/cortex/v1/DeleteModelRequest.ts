// Original file: proto/cortex/v1/models.proto


export interface DeleteModelRequest {
  'id'?: (string);
  /**
   * Also remove blobs in the HF cache that no other revision uses.
   */
  'include_hf_cache'?: (boolean);
}

export interface DeleteModelRequest__Output {
  'id': (string);
  /**
   * Also remove blobs in the HF cache that no other revision uses.
   */
  'include_hf_cache': (boolean);
}

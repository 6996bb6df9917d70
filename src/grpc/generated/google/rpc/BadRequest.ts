// Original file: proto/google/rpc/error_details.proto


export interface _google_rpc_BadRequest_FieldViolation {
  /**
   * A path to the field, e.g. "repo" or "load.context_size".
   */
  'field'?: (string);
  'description'?: (string);
}

export interface _google_rpc_BadRequest_FieldViolation__Output {
  /**
   * A path to the field, e.g. "repo" or "load.context_size".
   */
  'field': (string);
  'description': (string);
}

/**
 * The request fields that were wrong, and how.
 */
export interface BadRequest {
  'field_violations'?: (_google_rpc_BadRequest_FieldViolation)[];
}

/**
 * The request fields that were wrong, and how.
 */
export interface BadRequest__Output {
  'field_violations': (_google_rpc_BadRequest_FieldViolation__Output)[];
}

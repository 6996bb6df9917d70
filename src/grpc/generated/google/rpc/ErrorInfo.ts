// Original file: proto/google/rpc/error_details.proto


/**
 * Why the call failed: reason = the cortex error code (e.g. "REG_NOT_FOUND"), domain = "cortexd"; metadata: "retryable".
 */
export interface ErrorInfo {
  'reason'?: (string);
  'domain'?: (string);
  'metadata'?: ({[key: string]: string});
}

/**
 * Why the call failed: reason = the cortex error code (e.g. "REG_NOT_FOUND"), domain = "cortexd"; metadata: "retryable".
 */
export interface ErrorInfo__Output {
  'reason': (string);
  'domain': (string);
  'metadata': ({[key: string]: string});
}

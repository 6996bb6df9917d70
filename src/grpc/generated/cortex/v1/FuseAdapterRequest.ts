// Original file: proto/cortex/v1/jobs.proto


export interface FuseAdapterRequest {
  'base'?: (string);
  'adapter'?: (string);
  'output_name'?: (string);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite'?: (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key'?: (string);
}

export interface FuseAdapterRequest__Output {
  'base': (string);
  'adapter': (string);
  'output_name': (string);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite': (boolean);
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key': (string);
}

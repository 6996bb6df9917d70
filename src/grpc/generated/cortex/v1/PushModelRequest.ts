// Original file: proto/cortex/v1/jobs.proto


export interface PushModelRequest {
  /**
   * A model `cortex ls` shows (id, name, path, org/name@rev in the HF cache).
   */
  'model'?: (string);
  /**
   * "org/name" or "org/name@branch" (default main).
   */
  'repo'?: (string);
  /**
   * As ConvertModelRequest.idempotency_key.
   */
  'idempotency_key'?: (string);
}

export interface PushModelRequest__Output {
  /**
   * A model `cortex ls` shows (id, name, path, org/name@rev in the HF cache).
   */
  'model': (string);
  /**
   * "org/name" or "org/name@branch" (default main).
   */
  'repo': (string);
  /**
   * As ConvertModelRequest.idempotency_key.
   */
  'idempotency_key': (string);
}

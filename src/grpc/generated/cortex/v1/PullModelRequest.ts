// Original file: proto/cortex/v1/jobs.proto


export interface PullModelRequest {
  /**
   * "org/name"; "datasets/org/name" is refused (models only).
   */
  'repo'?: (string);
  /**
   * Branch, tag or commit; default "main".
   */
  'revision'?: (string);
  'include'?: (string)[];
  'exclude'?: (string)[];
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key'?: (string);
}

export interface PullModelRequest__Output {
  /**
   * "org/name"; "datasets/org/name" is refused (models only).
   */
  'repo': (string);
  /**
   * Branch, tag or commit; default "main".
   */
  'revision': (string);
  'include': (string)[];
  'exclude': (string)[];
  /**
   * Makes the submit idempotent: a retry with the same key (after a timeout or UNAVAILABLE, when the first try may
   * have gone through) joins the job the first try made, even once it has ended. The CLI sends a fresh key per
   * command and retries with it. Empty = none.
   */
  'idempotency_key': (string);
}

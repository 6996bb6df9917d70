// Original file: proto/cortex/v1/models.proto


export interface DeleteHfCacheRequest {
  /**
   * "org/name" or "org/name@<commit or ref>"; type prefix "datasets/" allowed.
   */
  'targets'?: (string)[];
  'dry_run'?: (boolean);
  /**
   * `hf cache prune`: every detached revision and every stale .incomplete file (targets ignored).
   */
  'prune'?: (boolean);
}

export interface DeleteHfCacheRequest__Output {
  /**
   * "org/name" or "org/name@<commit or ref>"; type prefix "datasets/" allowed.
   */
  'targets': (string)[];
  'dry_run': (boolean);
  /**
   * `hf cache prune`: every detached revision and every stale .incomplete file (targets ignored).
   */
  'prune': (boolean);
}

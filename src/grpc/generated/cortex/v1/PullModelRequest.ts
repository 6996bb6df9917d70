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
}

// Original file: proto/cortex/v1/jobs.proto


export interface PullModelRequest {
  /**
   * "org/name", or a catalog short name ("flux-schnell", "flux-schnell:4bit"; ModelService.ListCatalog), whose
   * repo, revision and file filters apply (the request's own include/exclude replace the entry's).
   * "datasets/org/name" is refused (models only).
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
  /**
   * With a short name: the variant to pull ("4bit" → "flux-schnell:4bit"). Refused with an org/name repo.
   */
  'quantization'?: (string);
}

export interface PullModelRequest__Output {
  /**
   * "org/name", or a catalog short name ("flux-schnell", "flux-schnell:4bit"; ModelService.ListCatalog), whose
   * repo, revision and file filters apply (the request's own include/exclude replace the entry's).
   * "datasets/org/name" is refused (models only).
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
  /**
   * With a short name: the variant to pull ("4bit" → "flux-schnell:4bit"). Refused with an org/name repo.
   */
  'quantization': (string);
}

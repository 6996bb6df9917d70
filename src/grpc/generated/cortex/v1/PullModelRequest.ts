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
   * With a short name: the variant to pull ("4bit" → "flux-schnell:4bit"). Refused with an org/name repo.
   */
  'quantization': (string);
}

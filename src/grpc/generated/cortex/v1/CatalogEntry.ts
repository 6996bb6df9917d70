// Original file: proto/cortex/v1/models.proto


export interface CatalogEntry {
  /**
   * "flux-schnell", "flux-schnell:4bit" (name:variant).
   */
  'name'?: (string);
  'repo'?: (string);
  /**
   * Empty = the repo's default branch.
   */
  'revision'?: (string);
  /**
   * The files a pull by this name fetches (globs); empty = all.
   */
  'include'?: (string)[];
  'exclude'?: (string)[];
  'description'?: (string);
  /**
   * "built-in" or "config".
   */
  'source'?: (string);
}

export interface CatalogEntry__Output {
  /**
   * "flux-schnell", "flux-schnell:4bit" (name:variant).
   */
  'name': (string);
  'repo': (string);
  /**
   * Empty = the repo's default branch.
   */
  'revision': (string);
  /**
   * The files a pull by this name fetches (globs); empty = all.
   */
  'include': (string)[];
  'exclude': (string)[];
  'description': (string);
  /**
   * "built-in" or "config".
   */
  'source': (string);
}

// Original file: proto/cortex/v1/models.proto


export interface ConfigEntry {
  'key'?: (string);
  /**
   * JSON-encoded value; secrets show as "***".
   */
  'value'?: (string);
  /**
   * "flag", "env", "file" or "default".
   */
  'source'?: (string);
  'description'?: (string);
}

export interface ConfigEntry__Output {
  'key': (string);
  /**
   * JSON-encoded value; secrets show as "***".
   */
  'value': (string);
  /**
   * "flag", "env", "file" or "default".
   */
  'source': (string);
  'description': (string);
}

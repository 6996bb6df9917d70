// Original file: proto/cortex/v1/models.proto


export interface RedisStatus {
  /**
   * "embedded" (supervised child) or "external" (CORTEX_REDIS_URL).
   */
  'mode'?: (string);
  'healthy'?: (boolean);
  /**
   * Redacted URL or socket path.
   */
  'address'?: (string);
  'version'?: (string);
  'restarts'?: (number);
}

export interface RedisStatus__Output {
  /**
   * "embedded" (supervised child) or "external" (CORTEX_REDIS_URL).
   */
  'mode': (string);
  'healthy': (boolean);
  /**
   * Redacted URL or socket path.
   */
  'address': (string);
  'version': (string);
  'restarts': (number);
}

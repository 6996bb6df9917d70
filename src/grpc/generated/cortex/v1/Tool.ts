// Original file: proto/cortex/v1/inference.proto


/**
 * A function the model may call.
 */
export interface Tool {
  'name'?: (string);
  'description'?: (string);
  /**
   * Its parameters as a JSON schema (JSON text); empty = no parameters.
   */
  'parameters_json'?: (string);
}

/**
 * A function the model may call.
 */
export interface Tool__Output {
  'name': (string);
  'description': (string);
  /**
   * Its parameters as a JSON schema (JSON text); empty = no parameters.
   */
  'parameters_json': (string);
}

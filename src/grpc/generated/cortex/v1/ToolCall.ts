// Original file: proto/cortex/v1/inference.proto


/**
 * A call the model made.
 */
export interface ToolCall {
  'id'?: (string);
  'name'?: (string);
  /**
   * The arguments as a JSON object (JSON text).
   */
  'arguments_json'?: (string);
}

/**
 * A call the model made.
 */
export interface ToolCall__Output {
  'id': (string);
  'name': (string);
  /**
   * The arguments as a JSON object (JSON text).
   */
  'arguments_json': (string);
}

// Original file: proto/cortex/v1/inference.proto


export interface ChatMessage {
  /**
   * "system", "user", "assistant".
   */
  'role'?: (string);
  'content'?: (string);
}

export interface ChatMessage__Output {
  /**
   * "system", "user", "assistant".
   */
  'role': (string);
  'content': (string);
}

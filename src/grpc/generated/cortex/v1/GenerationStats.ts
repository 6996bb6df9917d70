// Original file: proto/cortex/v1/inference.proto


export interface GenerationStats {
  'prompt_tokens'?: (number);
  'generated_tokens'?: (number);
  'time_to_first_token_ms'?: (number | string);
  'tokens_per_second'?: (number | string);
  'load_ms'?: (number | string);
  'total_ms'?: (number | string);
  /**
   * "stop", "length", "stop_sequence", "cancelled", or "load" for a request that only loaded the model
   * (empty prompt / no messages).
   */
  'finish_reason'?: (string);
  'variant'?: (string);
  'variant_reason'?: (string);
  /**
   * Time from the request's arrival until it got its model (waiting in the queue and for a load).
   */
  'queue_ms'?: (number | string);
  /**
   * Prompt evaluation: from the engine starting the request to the first token.
   */
  'prompt_ms'?: (number | string);
}

export interface GenerationStats__Output {
  'prompt_tokens': (number);
  'generated_tokens': (number);
  'time_to_first_token_ms': (number);
  'tokens_per_second': (number);
  'load_ms': (number);
  'total_ms': (number);
  /**
   * "stop", "length", "stop_sequence", "cancelled", or "load" for a request that only loaded the model
   * (empty prompt / no messages).
   */
  'finish_reason': (string);
  'variant': (string);
  'variant_reason': (string);
  /**
   * Time from the request's arrival until it got its model (waiting in the queue and for a load).
   */
  'queue_ms': (number);
  /**
   * Prompt evaluation: from the engine starting the request to the first token.
   */
  'prompt_ms': (number);
}

// Original file: proto/cortex/v1/inference.proto


export interface SamplingOptions {
  'temperature'?: (number | string);
  'top_p'?: (number | string);
  'top_k'?: (number);
  'min_p'?: (number | string);
  'repeat_penalty'?: (number | string);
  'seed'?: (number);
  'max_tokens'?: (number);
  'stop'?: (string)[];
  /**
   * JSON schema the output must satisfy.
   */
  'json_schema'?: (string);
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_top_k'?: "top_k";
  '_min_p'?: "min_p";
  '_repeat_penalty'?: "repeat_penalty";
  '_seed'?: "seed";
}

export interface SamplingOptions__Output {
  'temperature'?: (number);
  'top_p'?: (number);
  'top_k'?: (number);
  'min_p'?: (number);
  'repeat_penalty'?: (number);
  'seed'?: (number);
  'max_tokens': (number);
  'stop': (string)[];
  /**
   * JSON schema the output must satisfy.
   */
  'json_schema': (string);
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_top_k'?: "top_k";
  '_min_p'?: "min_p";
  '_repeat_penalty'?: "repeat_penalty";
  '_seed'?: "seed";
}

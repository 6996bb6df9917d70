// Original file: proto/cortex/v1/models.proto


export interface LoraInfo {
  'base_model'?: (string);
  'fused'?: (boolean);
  'rank'?: (number);
  'scale'?: (number | string);
  'target_modules'?: (string)[];
}

export interface LoraInfo__Output {
  'base_model': (string);
  'fused': (boolean);
  'rank': (number);
  'scale': (number);
  'target_modules': (string)[];
}

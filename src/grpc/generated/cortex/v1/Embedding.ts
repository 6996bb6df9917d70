// Original file: proto/cortex/v1/inference.proto


export interface Embedding {
  'values'?: (number | string)[];
}

export interface Embedding__Output {
  'values': (number)[];
}

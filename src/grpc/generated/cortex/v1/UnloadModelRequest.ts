// Original file: proto/cortex/v1/inference.proto


export interface UnloadModelRequest {
  'model'?: (string);
  'force'?: (boolean);
}

export interface UnloadModelRequest__Output {
  'model': (string);
  'force': (boolean);
}

// Original file: proto/cortex/v1/models.proto


export interface UntagModelRequest {
  'id'?: (string);
  'tags'?: (string)[];
}

export interface UntagModelRequest__Output {
  'id': (string);
  'tags': (string)[];
}

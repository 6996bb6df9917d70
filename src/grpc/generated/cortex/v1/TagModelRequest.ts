// Original file: proto/cortex/v1/models.proto


export interface TagModelRequest {
  'id'?: (string);
  'tags'?: (string)[];
}

export interface TagModelRequest__Output {
  'id': (string);
  'tags': (string)[];
}

// Original file: proto/cortex/v1/jobs.proto


export interface FuseAdapterRequest {
  'base'?: (string);
  'adapter'?: (string);
  'output_name'?: (string);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite'?: (boolean);
}

export interface FuseAdapterRequest__Output {
  'base': (string);
  'adapter': (string);
  'output_name': (string);
  /**
   * As ConvertModelRequest.overwrite.
   */
  'overwrite': (boolean);
}

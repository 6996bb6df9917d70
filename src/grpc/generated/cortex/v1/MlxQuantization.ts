// Original file: proto/cortex/v1/common.proto


export interface MlxQuantization {
  'bits'?: (number);
  'group_size'?: (number);
  /**
   * "affine", "mxfp4", "nvfp4", "mxfp8".
   */
  'mode'?: (string);
}

export interface MlxQuantization__Output {
  'bits': (number);
  'group_size': (number);
  /**
   * "affine", "mxfp4", "nvfp4", "mxfp8".
   */
  'mode': (string);
}

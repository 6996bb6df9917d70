// Original file: proto/cortex/v1/models.proto


export interface ScanHfCacheRequest {
  'cache_dir'?: (string);
}

export interface ScanHfCacheRequest__Output {
  'cache_dir': (string);
}

// Original file: proto/cortex/v1/models.proto


export interface PlatformInfo {
  'os'?: (string);
  'arch'?: (string);
  'node_version'?: (string);
  'cpu_cores'?: (number);
  'apple_silicon'?: (boolean);
  'hostname'?: (string);
}

export interface PlatformInfo__Output {
  'os': (string);
  'arch': (string);
  'node_version': (string);
  'cpu_cores': (number);
  'apple_silicon': (boolean);
  'hostname': (string);
}

// Original file: proto/cortex/v1/models.proto


export interface MetricLabel {
  'name'?: (string);
  'value'?: (string);
}

export interface MetricLabel__Output {
  'name': (string);
  'value': (string);
}

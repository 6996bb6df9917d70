// Original file: proto/cortex/v1/models.proto

import type { ConfigEntry as _cortex_v1_ConfigEntry, ConfigEntry__Output as _cortex_v1_ConfigEntry__Output } from '../../cortex/v1/ConfigEntry.js';

export interface GetConfigResponse {
  'entries'?: (_cortex_v1_ConfigEntry)[];
  'config_file'?: (string);
}

export interface GetConfigResponse__Output {
  'entries': (_cortex_v1_ConfigEntry__Output)[];
  'config_file': (string);
}

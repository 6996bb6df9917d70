// Original file: proto/cortex/v1/models.proto

import type { CatalogEntry as _cortex_v1_CatalogEntry, CatalogEntry__Output as _cortex_v1_CatalogEntry__Output } from '../../cortex/v1/CatalogEntry.js';

export interface ListCatalogResponse {
  'entries'?: (_cortex_v1_CatalogEntry)[];
}

export interface ListCatalogResponse__Output {
  'entries': (_cortex_v1_CatalogEntry__Output)[];
}

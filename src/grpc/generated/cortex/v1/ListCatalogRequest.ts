// Original file: proto/cortex/v1/models.proto


export interface ListCatalogRequest {
}

export interface ListCatalogRequest__Output {
}

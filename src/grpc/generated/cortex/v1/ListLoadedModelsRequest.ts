// Original file: proto/cortex/v1/inference.proto


export interface ListLoadedModelsRequest {
}

export interface ListLoadedModelsRequest__Output {
}

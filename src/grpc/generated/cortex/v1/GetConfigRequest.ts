// Original file: proto/cortex/v1/models.proto


export interface GetConfigRequest {
}

export interface GetConfigRequest__Output {
}

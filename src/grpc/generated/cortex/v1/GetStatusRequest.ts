// Original file: proto/cortex/v1/models.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}

// Original file: proto/cortex/v1/models.proto


export interface GetStatsRequest {
}

export interface GetStatsRequest__Output {
}

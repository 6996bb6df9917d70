import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BatchItem as _cortex_v1_BatchItem, BatchItem__Output as _cortex_v1_BatchItem__Output } from './cortex/v1/BatchItem.js';
import type { CancelJobRequest as _cortex_v1_CancelJobRequest, CancelJobRequest__Output as _cortex_v1_CancelJobRequest__Output } from './cortex/v1/CancelJobRequest.js';
import type { ConvertModelRequest as _cortex_v1_ConvertModelRequest, ConvertModelRequest__Output as _cortex_v1_ConvertModelRequest__Output } from './cortex/v1/ConvertModelRequest.js';
import type { FlowRequest as _cortex_v1_FlowRequest, FlowRequest__Output as _cortex_v1_FlowRequest__Output } from './cortex/v1/FlowRequest.js';
import type { FuseAdapterRequest as _cortex_v1_FuseAdapterRequest, FuseAdapterRequest__Output as _cortex_v1_FuseAdapterRequest__Output } from './cortex/v1/FuseAdapterRequest.js';
import type { GetJobRequest as _cortex_v1_GetJobRequest, GetJobRequest__Output as _cortex_v1_GetJobRequest__Output } from './cortex/v1/GetJobRequest.js';
import type { Job as _cortex_v1_Job, Job__Output as _cortex_v1_Job__Output } from './cortex/v1/Job.js';
import type { JobEvent as _cortex_v1_JobEvent, JobEvent__Output as _cortex_v1_JobEvent__Output } from './cortex/v1/JobEvent.js';
import type { JobHandle as _cortex_v1_JobHandle, JobHandle__Output as _cortex_v1_JobHandle__Output } from './cortex/v1/JobHandle.js';
import type { JobProgress as _cortex_v1_JobProgress, JobProgress__Output as _cortex_v1_JobProgress__Output } from './cortex/v1/JobProgress.js';
import type { JobServiceClient as _cortex_v1_JobServiceClient, JobServiceDefinition as _cortex_v1_JobServiceDefinition } from './cortex/v1/JobService.js';
import type { ListJobsRequest as _cortex_v1_ListJobsRequest, ListJobsRequest__Output as _cortex_v1_ListJobsRequest__Output } from './cortex/v1/ListJobsRequest.js';
import type { ListJobsResponse as _cortex_v1_ListJobsResponse, ListJobsResponse__Output as _cortex_v1_ListJobsResponse__Output } from './cortex/v1/ListJobsResponse.js';
import type { MlxOptions as _cortex_v1_MlxOptions, MlxOptions__Output as _cortex_v1_MlxOptions__Output } from './cortex/v1/MlxOptions.js';
import type { PullModelRequest as _cortex_v1_PullModelRequest, PullModelRequest__Output as _cortex_v1_PullModelRequest__Output } from './cortex/v1/PullModelRequest.js';
import type { PushModelRequest as _cortex_v1_PushModelRequest, PushModelRequest__Output as _cortex_v1_PushModelRequest__Output } from './cortex/v1/PushModelRequest.js';
import type { QuantizeModelRequest as _cortex_v1_QuantizeModelRequest, QuantizeModelRequest__Output as _cortex_v1_QuantizeModelRequest__Output } from './cortex/v1/QuantizeModelRequest.js';
import type { RetryJobRequest as _cortex_v1_RetryJobRequest, RetryJobRequest__Output as _cortex_v1_RetryJobRequest__Output } from './cortex/v1/RetryJobRequest.js';
import type { SubmitBatchRequest as _cortex_v1_SubmitBatchRequest, SubmitBatchRequest__Output as _cortex_v1_SubmitBatchRequest__Output } from './cortex/v1/SubmitBatchRequest.js';
import type { SubmitBatchResponse as _cortex_v1_SubmitBatchResponse, SubmitBatchResponse__Output as _cortex_v1_SubmitBatchResponse__Output } from './cortex/v1/SubmitBatchResponse.js';
import type { WatchJobRequest as _cortex_v1_WatchJobRequest, WatchJobRequest__Output as _cortex_v1_WatchJobRequest__Output } from './cortex/v1/WatchJobRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cortex: {
    v1: {
      BatchItem: MessageTypeDefinition<_cortex_v1_BatchItem, _cortex_v1_BatchItem__Output>
      CancelJobRequest: MessageTypeDefinition<_cortex_v1_CancelJobRequest, _cortex_v1_CancelJobRequest__Output>
      ConvertModelRequest: MessageTypeDefinition<_cortex_v1_ConvertModelRequest, _cortex_v1_ConvertModelRequest__Output>
      FlowRequest: MessageTypeDefinition<_cortex_v1_FlowRequest, _cortex_v1_FlowRequest__Output>
      FuseAdapterRequest: MessageTypeDefinition<_cortex_v1_FuseAdapterRequest, _cortex_v1_FuseAdapterRequest__Output>
      GetJobRequest: MessageTypeDefinition<_cortex_v1_GetJobRequest, _cortex_v1_GetJobRequest__Output>
      Job: MessageTypeDefinition<_cortex_v1_Job, _cortex_v1_Job__Output>
      JobEvent: MessageTypeDefinition<_cortex_v1_JobEvent, _cortex_v1_JobEvent__Output>
      JobHandle: MessageTypeDefinition<_cortex_v1_JobHandle, _cortex_v1_JobHandle__Output>
      JobProgress: MessageTypeDefinition<_cortex_v1_JobProgress, _cortex_v1_JobProgress__Output>
      JobService: SubtypeConstructor<typeof grpc.Client, _cortex_v1_JobServiceClient> & { service: _cortex_v1_JobServiceDefinition }
      JobState: EnumTypeDefinition
      JobType: EnumTypeDefinition
      ListJobsRequest: MessageTypeDefinition<_cortex_v1_ListJobsRequest, _cortex_v1_ListJobsRequest__Output>
      ListJobsResponse: MessageTypeDefinition<_cortex_v1_ListJobsResponse, _cortex_v1_ListJobsResponse__Output>
      MlxOptions: MessageTypeDefinition<_cortex_v1_MlxOptions, _cortex_v1_MlxOptions__Output>
      PullModelRequest: MessageTypeDefinition<_cortex_v1_PullModelRequest, _cortex_v1_PullModelRequest__Output>
      PushModelRequest: MessageTypeDefinition<_cortex_v1_PushModelRequest, _cortex_v1_PushModelRequest__Output>
      QuantizeModelRequest: MessageTypeDefinition<_cortex_v1_QuantizeModelRequest, _cortex_v1_QuantizeModelRequest__Output>
      RetryJobRequest: MessageTypeDefinition<_cortex_v1_RetryJobRequest, _cortex_v1_RetryJobRequest__Output>
      SubmitBatchRequest: MessageTypeDefinition<_cortex_v1_SubmitBatchRequest, _cortex_v1_SubmitBatchRequest__Output>
      SubmitBatchResponse: MessageTypeDefinition<_cortex_v1_SubmitBatchResponse, _cortex_v1_SubmitBatchResponse__Output>
      TargetFormat: EnumTypeDefinition
      WatchJobRequest: MessageTypeDefinition<_cortex_v1_WatchJobRequest, _cortex_v1_WatchJobRequest__Output>
    }
  }
}


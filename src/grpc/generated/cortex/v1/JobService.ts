// Original file: proto/cortex/v1/jobs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _cortex_v1_CancelJobRequest, CancelJobRequest__Output as _cortex_v1_CancelJobRequest__Output } from '../../cortex/v1/CancelJobRequest.js';
import type { ConvertModelRequest as _cortex_v1_ConvertModelRequest, ConvertModelRequest__Output as _cortex_v1_ConvertModelRequest__Output } from '../../cortex/v1/ConvertModelRequest.js';
import type { FuseAdapterRequest as _cortex_v1_FuseAdapterRequest, FuseAdapterRequest__Output as _cortex_v1_FuseAdapterRequest__Output } from '../../cortex/v1/FuseAdapterRequest.js';
import type { GetJobRequest as _cortex_v1_GetJobRequest, GetJobRequest__Output as _cortex_v1_GetJobRequest__Output } from '../../cortex/v1/GetJobRequest.js';
import type { Job as _cortex_v1_Job, Job__Output as _cortex_v1_Job__Output } from '../../cortex/v1/Job.js';
import type { JobEvent as _cortex_v1_JobEvent, JobEvent__Output as _cortex_v1_JobEvent__Output } from '../../cortex/v1/JobEvent.js';
import type { JobHandle as _cortex_v1_JobHandle, JobHandle__Output as _cortex_v1_JobHandle__Output } from '../../cortex/v1/JobHandle.js';
import type { ListJobsRequest as _cortex_v1_ListJobsRequest, ListJobsRequest__Output as _cortex_v1_ListJobsRequest__Output } from '../../cortex/v1/ListJobsRequest.js';
import type { ListJobsResponse as _cortex_v1_ListJobsResponse, ListJobsResponse__Output as _cortex_v1_ListJobsResponse__Output } from '../../cortex/v1/ListJobsResponse.js';
import type { PullModelRequest as _cortex_v1_PullModelRequest, PullModelRequest__Output as _cortex_v1_PullModelRequest__Output } from '../../cortex/v1/PullModelRequest.js';
import type { PushModelRequest as _cortex_v1_PushModelRequest, PushModelRequest__Output as _cortex_v1_PushModelRequest__Output } from '../../cortex/v1/PushModelRequest.js';
import type { QuantizeModelRequest as _cortex_v1_QuantizeModelRequest, QuantizeModelRequest__Output as _cortex_v1_QuantizeModelRequest__Output } from '../../cortex/v1/QuantizeModelRequest.js';
import type { RetryJobRequest as _cortex_v1_RetryJobRequest, RetryJobRequest__Output as _cortex_v1_RetryJobRequest__Output } from '../../cortex/v1/RetryJobRequest.js';
import type { SubmitBatchRequest as _cortex_v1_SubmitBatchRequest, SubmitBatchRequest__Output as _cortex_v1_SubmitBatchRequest__Output } from '../../cortex/v1/SubmitBatchRequest.js';
import type { SubmitBatchResponse as _cortex_v1_SubmitBatchResponse, SubmitBatchResponse__Output as _cortex_v1_SubmitBatchResponse__Output } from '../../cortex/v1/SubmitBatchResponse.js';
import type { WatchJobRequest as _cortex_v1_WatchJobRequest, WatchJobRequest__Output as _cortex_v1_WatchJobRequest__Output } from '../../cortex/v1/WatchJobRequest.js';

export interface JobServiceClient extends grpc.Client {
  /**
   * The running job stops within 2 s; final state CANCELLED, never retried.
   */
  CancelJob(argument: _cortex_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _cortex_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _cortex_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _cortex_v1_CancelJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * The running job stops within 2 s; final state CANCELLED, never retried.
   */
  cancelJob(argument: _cortex_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _cortex_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _cortex_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _cortex_v1_CancelJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * HF checkpoint → GGUF or MLX.
   */
  ConvertModel(argument: _cortex_v1_ConvertModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  ConvertModel(argument: _cortex_v1_ConvertModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  ConvertModel(argument: _cortex_v1_ConvertModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  ConvertModel(argument: _cortex_v1_ConvertModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  /**
   * HF checkpoint → GGUF or MLX.
   */
  convertModel(argument: _cortex_v1_ConvertModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  convertModel(argument: _cortex_v1_ConvertModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  convertModel(argument: _cortex_v1_ConvertModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  convertModel(argument: _cortex_v1_ConvertModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  
  /**
   * Fuse a LoRA adapter into its base model.
   */
  FuseAdapter(argument: _cortex_v1_FuseAdapterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  FuseAdapter(argument: _cortex_v1_FuseAdapterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  FuseAdapter(argument: _cortex_v1_FuseAdapterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  FuseAdapter(argument: _cortex_v1_FuseAdapterRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  /**
   * Fuse a LoRA adapter into its base model.
   */
  fuseAdapter(argument: _cortex_v1_FuseAdapterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  fuseAdapter(argument: _cortex_v1_FuseAdapterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  fuseAdapter(argument: _cortex_v1_FuseAdapterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  fuseAdapter(argument: _cortex_v1_FuseAdapterRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  
  GetJob(argument: _cortex_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _cortex_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _cortex_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _cortex_v1_GetJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _cortex_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _cortex_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _cortex_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _cortex_v1_GetJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  
  ListJobs(argument: _cortex_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _cortex_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _cortex_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _cortex_v1_ListJobsRequest, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _cortex_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _cortex_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _cortex_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _cortex_v1_ListJobsRequest, callback: grpc.requestCallback<_cortex_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Pull a Hugging Face repo into the shared HF cache. Two pulls of one repo@commit share one job.
   */
  PullModel(argument: _cortex_v1_PullModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PullModel(argument: _cortex_v1_PullModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PullModel(argument: _cortex_v1_PullModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PullModel(argument: _cortex_v1_PullModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  /**
   * Pull a Hugging Face repo into the shared HF cache. Two pulls of one repo@commit share one job.
   */
  pullModel(argument: _cortex_v1_PullModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pullModel(argument: _cortex_v1_PullModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pullModel(argument: _cortex_v1_PullModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pullModel(argument: _cortex_v1_PullModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  
  /**
   * Publishes a model of this machine to a Hub model repo: one commit (LFS for weights) with a generated model card;
   * the repo is created when missing. HUB_UNAUTHENTICATED without a token, HUB_PERMISSION_DENIED without write access.
   */
  PushModel(argument: _cortex_v1_PushModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PushModel(argument: _cortex_v1_PushModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PushModel(argument: _cortex_v1_PushModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  PushModel(argument: _cortex_v1_PushModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  /**
   * Publishes a model of this machine to a Hub model repo: one commit (LFS for weights) with a generated model card;
   * the repo is created when missing. HUB_UNAUTHENTICATED without a token, HUB_PERMISSION_DENIED without write access.
   */
  pushModel(argument: _cortex_v1_PushModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pushModel(argument: _cortex_v1_PushModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pushModel(argument: _cortex_v1_PushModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  pushModel(argument: _cortex_v1_PushModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  
  /**
   * GGUF → quantized GGUF (llama.cpp types), or MLX float → MLX affine.
   */
  QuantizeModel(argument: _cortex_v1_QuantizeModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  QuantizeModel(argument: _cortex_v1_QuantizeModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  QuantizeModel(argument: _cortex_v1_QuantizeModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  QuantizeModel(argument: _cortex_v1_QuantizeModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  /**
   * GGUF → quantized GGUF (llama.cpp types), or MLX float → MLX affine.
   */
  quantizeModel(argument: _cortex_v1_QuantizeModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  quantizeModel(argument: _cortex_v1_QuantizeModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  quantizeModel(argument: _cortex_v1_QuantizeModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  quantizeModel(argument: _cortex_v1_QuantizeModelRequest, callback: grpc.requestCallback<_cortex_v1_JobHandle__Output>): grpc.ClientUnaryCall;
  
  RetryJob(argument: _cortex_v1_RetryJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  RetryJob(argument: _cortex_v1_RetryJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  RetryJob(argument: _cortex_v1_RetryJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  RetryJob(argument: _cortex_v1_RetryJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  retryJob(argument: _cortex_v1_RetryJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  retryJob(argument: _cortex_v1_RetryJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  retryJob(argument: _cortex_v1_RetryJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  retryJob(argument: _cortex_v1_RetryJobRequest, callback: grpc.requestCallback<_cortex_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * Many conversions/quantizations, or pull→convert→quantize flows, at once.
   */
  SubmitBatch(argument: _cortex_v1_SubmitBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _cortex_v1_SubmitBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _cortex_v1_SubmitBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  SubmitBatch(argument: _cortex_v1_SubmitBatchRequest, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Many conversions/quantizations, or pull→convert→quantize flows, at once.
   */
  submitBatch(argument: _cortex_v1_SubmitBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _cortex_v1_SubmitBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _cortex_v1_SubmitBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  submitBatch(argument: _cortex_v1_SubmitBatchRequest, callback: grpc.requestCallback<_cortex_v1_SubmitBatchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Progress events until the job reaches a final state; the last event carries it.
   */
  WatchJob(argument: _cortex_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_JobEvent__Output>;
  WatchJob(argument: _cortex_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_JobEvent__Output>;
  /**
   * Progress events until the job reaches a final state; the last event carries it.
   */
  watchJob(argument: _cortex_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_JobEvent__Output>;
  watchJob(argument: _cortex_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_JobEvent__Output>;
  
}

export interface JobServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The running job stops within 2 s; final state CANCELLED, never retried.
   */
  CancelJob: grpc.handleUnaryCall<_cortex_v1_CancelJobRequest__Output, _cortex_v1_Job>;
  
  /**
   * HF checkpoint → GGUF or MLX.
   */
  ConvertModel: grpc.handleUnaryCall<_cortex_v1_ConvertModelRequest__Output, _cortex_v1_JobHandle>;
  
  /**
   * Fuse a LoRA adapter into its base model.
   */
  FuseAdapter: grpc.handleUnaryCall<_cortex_v1_FuseAdapterRequest__Output, _cortex_v1_JobHandle>;
  
  GetJob: grpc.handleUnaryCall<_cortex_v1_GetJobRequest__Output, _cortex_v1_Job>;
  
  ListJobs: grpc.handleUnaryCall<_cortex_v1_ListJobsRequest__Output, _cortex_v1_ListJobsResponse>;
  
  /**
   * Pull a Hugging Face repo into the shared HF cache. Two pulls of one repo@commit share one job.
   */
  PullModel: grpc.handleUnaryCall<_cortex_v1_PullModelRequest__Output, _cortex_v1_JobHandle>;
  
  /**
   * Publishes a model of this machine to a Hub model repo: one commit (LFS for weights) with a generated model card;
   * the repo is created when missing. HUB_UNAUTHENTICATED without a token, HUB_PERMISSION_DENIED without write access.
   */
  PushModel: grpc.handleUnaryCall<_cortex_v1_PushModelRequest__Output, _cortex_v1_JobHandle>;
  
  /**
   * GGUF → quantized GGUF (llama.cpp types), or MLX float → MLX affine.
   */
  QuantizeModel: grpc.handleUnaryCall<_cortex_v1_QuantizeModelRequest__Output, _cortex_v1_JobHandle>;
  
  RetryJob: grpc.handleUnaryCall<_cortex_v1_RetryJobRequest__Output, _cortex_v1_Job>;
  
  /**
   * Many conversions/quantizations, or pull→convert→quantize flows, at once.
   */
  SubmitBatch: grpc.handleUnaryCall<_cortex_v1_SubmitBatchRequest__Output, _cortex_v1_SubmitBatchResponse>;
  
  /**
   * Progress events until the job reaches a final state; the last event carries it.
   */
  WatchJob: grpc.handleServerStreamingCall<_cortex_v1_WatchJobRequest__Output, _cortex_v1_JobEvent>;
  
}

export interface JobServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_cortex_v1_CancelJobRequest, _cortex_v1_Job, _cortex_v1_CancelJobRequest__Output, _cortex_v1_Job__Output>
  ConvertModel: MethodDefinition<_cortex_v1_ConvertModelRequest, _cortex_v1_JobHandle, _cortex_v1_ConvertModelRequest__Output, _cortex_v1_JobHandle__Output>
  FuseAdapter: MethodDefinition<_cortex_v1_FuseAdapterRequest, _cortex_v1_JobHandle, _cortex_v1_FuseAdapterRequest__Output, _cortex_v1_JobHandle__Output>
  GetJob: MethodDefinition<_cortex_v1_GetJobRequest, _cortex_v1_Job, _cortex_v1_GetJobRequest__Output, _cortex_v1_Job__Output>
  ListJobs: MethodDefinition<_cortex_v1_ListJobsRequest, _cortex_v1_ListJobsResponse, _cortex_v1_ListJobsRequest__Output, _cortex_v1_ListJobsResponse__Output>
  PullModel: MethodDefinition<_cortex_v1_PullModelRequest, _cortex_v1_JobHandle, _cortex_v1_PullModelRequest__Output, _cortex_v1_JobHandle__Output>
  PushModel: MethodDefinition<_cortex_v1_PushModelRequest, _cortex_v1_JobHandle, _cortex_v1_PushModelRequest__Output, _cortex_v1_JobHandle__Output>
  QuantizeModel: MethodDefinition<_cortex_v1_QuantizeModelRequest, _cortex_v1_JobHandle, _cortex_v1_QuantizeModelRequest__Output, _cortex_v1_JobHandle__Output>
  RetryJob: MethodDefinition<_cortex_v1_RetryJobRequest, _cortex_v1_Job, _cortex_v1_RetryJobRequest__Output, _cortex_v1_Job__Output>
  SubmitBatch: MethodDefinition<_cortex_v1_SubmitBatchRequest, _cortex_v1_SubmitBatchResponse, _cortex_v1_SubmitBatchRequest__Output, _cortex_v1_SubmitBatchResponse__Output>
  WatchJob: MethodDefinition<_cortex_v1_WatchJobRequest, _cortex_v1_JobEvent, _cortex_v1_WatchJobRequest__Output, _cortex_v1_JobEvent__Output>
}

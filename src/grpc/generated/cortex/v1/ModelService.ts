// Original file: proto/cortex/v1/models.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CleanRequest as _cortex_v1_CleanRequest, CleanRequest__Output as _cortex_v1_CleanRequest__Output } from '../../cortex/v1/CleanRequest.js';
import type { CleanResponse as _cortex_v1_CleanResponse, CleanResponse__Output as _cortex_v1_CleanResponse__Output } from '../../cortex/v1/CleanResponse.js';
import type { DeleteHfCacheRequest as _cortex_v1_DeleteHfCacheRequest, DeleteHfCacheRequest__Output as _cortex_v1_DeleteHfCacheRequest__Output } from '../../cortex/v1/DeleteHfCacheRequest.js';
import type { DeleteHfCacheResponse as _cortex_v1_DeleteHfCacheResponse, DeleteHfCacheResponse__Output as _cortex_v1_DeleteHfCacheResponse__Output } from '../../cortex/v1/DeleteHfCacheResponse.js';
import type { DeleteModelRequest as _cortex_v1_DeleteModelRequest, DeleteModelRequest__Output as _cortex_v1_DeleteModelRequest__Output } from '../../cortex/v1/DeleteModelRequest.js';
import type { DeleteModelResponse as _cortex_v1_DeleteModelResponse, DeleteModelResponse__Output as _cortex_v1_DeleteModelResponse__Output } from '../../cortex/v1/DeleteModelResponse.js';
import type { GetConfigRequest as _cortex_v1_GetConfigRequest, GetConfigRequest__Output as _cortex_v1_GetConfigRequest__Output } from '../../cortex/v1/GetConfigRequest.js';
import type { GetConfigResponse as _cortex_v1_GetConfigResponse, GetConfigResponse__Output as _cortex_v1_GetConfigResponse__Output } from '../../cortex/v1/GetConfigResponse.js';
import type { GetModelRequest as _cortex_v1_GetModelRequest, GetModelRequest__Output as _cortex_v1_GetModelRequest__Output } from '../../cortex/v1/GetModelRequest.js';
import type { GetModelResponse as _cortex_v1_GetModelResponse, GetModelResponse__Output as _cortex_v1_GetModelResponse__Output } from '../../cortex/v1/GetModelResponse.js';
import type { GetStatsRequest as _cortex_v1_GetStatsRequest, GetStatsRequest__Output as _cortex_v1_GetStatsRequest__Output } from '../../cortex/v1/GetStatsRequest.js';
import type { GetStatsResponse as _cortex_v1_GetStatsResponse, GetStatsResponse__Output as _cortex_v1_GetStatsResponse__Output } from '../../cortex/v1/GetStatsResponse.js';
import type { GetStatusRequest as _cortex_v1_GetStatusRequest, GetStatusRequest__Output as _cortex_v1_GetStatusRequest__Output } from '../../cortex/v1/GetStatusRequest.js';
import type { GetStatusResponse as _cortex_v1_GetStatusResponse, GetStatusResponse__Output as _cortex_v1_GetStatusResponse__Output } from '../../cortex/v1/GetStatusResponse.js';
import type { ListCatalogRequest as _cortex_v1_ListCatalogRequest, ListCatalogRequest__Output as _cortex_v1_ListCatalogRequest__Output } from '../../cortex/v1/ListCatalogRequest.js';
import type { ListCatalogResponse as _cortex_v1_ListCatalogResponse, ListCatalogResponse__Output as _cortex_v1_ListCatalogResponse__Output } from '../../cortex/v1/ListCatalogResponse.js';
import type { ListManifestsRequest as _cortex_v1_ListManifestsRequest, ListManifestsRequest__Output as _cortex_v1_ListManifestsRequest__Output } from '../../cortex/v1/ListManifestsRequest.js';
import type { ListManifestsResponse as _cortex_v1_ListManifestsResponse, ListManifestsResponse__Output as _cortex_v1_ListManifestsResponse__Output } from '../../cortex/v1/ListManifestsResponse.js';
import type { ListModelsRequest as _cortex_v1_ListModelsRequest, ListModelsRequest__Output as _cortex_v1_ListModelsRequest__Output } from '../../cortex/v1/ListModelsRequest.js';
import type { ListModelsResponse as _cortex_v1_ListModelsResponse, ListModelsResponse__Output as _cortex_v1_ListModelsResponse__Output } from '../../cortex/v1/ListModelsResponse.js';
import type { ScanHfCacheRequest as _cortex_v1_ScanHfCacheRequest, ScanHfCacheRequest__Output as _cortex_v1_ScanHfCacheRequest__Output } from '../../cortex/v1/ScanHfCacheRequest.js';
import type { ScanHfCacheResponse as _cortex_v1_ScanHfCacheResponse, ScanHfCacheResponse__Output as _cortex_v1_ScanHfCacheResponse__Output } from '../../cortex/v1/ScanHfCacheResponse.js';
import type { SyncManifestsRequest as _cortex_v1_SyncManifestsRequest, SyncManifestsRequest__Output as _cortex_v1_SyncManifestsRequest__Output } from '../../cortex/v1/SyncManifestsRequest.js';
import type { SyncManifestsResponse as _cortex_v1_SyncManifestsResponse, SyncManifestsResponse__Output as _cortex_v1_SyncManifestsResponse__Output } from '../../cortex/v1/SyncManifestsResponse.js';
import type { TagModelRequest as _cortex_v1_TagModelRequest, TagModelRequest__Output as _cortex_v1_TagModelRequest__Output } from '../../cortex/v1/TagModelRequest.js';
import type { TagModelResponse as _cortex_v1_TagModelResponse, TagModelResponse__Output as _cortex_v1_TagModelResponse__Output } from '../../cortex/v1/TagModelResponse.js';
import type { UntagModelRequest as _cortex_v1_UntagModelRequest, UntagModelRequest__Output as _cortex_v1_UntagModelRequest__Output } from '../../cortex/v1/UntagModelRequest.js';
import type { UntagModelResponse as _cortex_v1_UntagModelResponse, UntagModelResponse__Output as _cortex_v1_UntagModelResponse__Output } from '../../cortex/v1/UntagModelResponse.js';

export interface ModelServiceClient extends grpc.Client {
  ApplyClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  ApplyClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  ApplyClean(argument: _cortex_v1_CleanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  ApplyClean(argument: _cortex_v1_CleanRequest, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  applyClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  applyClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  applyClean(argument: _cortex_v1_CleanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  applyClean(argument: _cortex_v1_CleanRequest, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  DeleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  DeleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  DeleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  deleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  deleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  deleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  deleteHfCache(argument: _cortex_v1_DeleteHfCacheRequest, callback: grpc.requestCallback<_cortex_v1_DeleteHfCacheResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Refuses a model that is loaded or used by a running job (FAILED_PRECONDITION).
   */
  DeleteModel(argument: _cortex_v1_DeleteModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _cortex_v1_DeleteModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _cortex_v1_DeleteModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  DeleteModel(argument: _cortex_v1_DeleteModelRequest, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Refuses a model that is loaded or used by a running job (FAILED_PRECONDITION).
   */
  deleteModel(argument: _cortex_v1_DeleteModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _cortex_v1_DeleteModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _cortex_v1_DeleteModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  deleteModel(argument: _cortex_v1_DeleteModelRequest, callback: grpc.requestCallback<_cortex_v1_DeleteModelResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The effective configuration and where each value came from. Secrets are redacted.
   */
  GetConfig(argument: _cortex_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _cortex_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _cortex_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _cortex_v1_GetConfigRequest, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The effective configuration and where each value came from. Secrets are redacted.
   */
  getConfig(argument: _cortex_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _cortex_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _cortex_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _cortex_v1_GetConfigRequest, callback: grpc.requestCallback<_cortex_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  
  GetModel(argument: _cortex_v1_GetModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _cortex_v1_GetModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _cortex_v1_GetModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  GetModel(argument: _cortex_v1_GetModelRequest, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  getModel(argument: _cortex_v1_GetModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  getModel(argument: _cortex_v1_GetModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  getModel(argument: _cortex_v1_GetModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  getModel(argument: _cortex_v1_GetModelRequest, callback: grpc.requestCallback<_cortex_v1_GetModelResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The daemon's metrics as data: the same families and values the HTTP listener serves at GET /metrics
   * (requests, tokens, latencies, queued requests, loaded models and memory, evictions, jobs, downloads, Redis).
   */
  GetStats(argument: _cortex_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _cortex_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _cortex_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  GetStats(argument: _cortex_v1_GetStatsRequest, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The daemon's metrics as data: the same families and values the HTTP listener serves at GET /metrics
   * (requests, tokens, latencies, queued requests, loaded models and memory, evictions, jobs, downloads, Redis).
   */
  getStats(argument: _cortex_v1_GetStatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _cortex_v1_GetStatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _cortex_v1_GetStatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  getStats(argument: _cortex_v1_GetStatsRequest, callback: grpc.requestCallback<_cortex_v1_GetStatsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Daemon version, uptime, Redis health, queue counts, memory budget, platform.
   */
  GetStatus(argument: _cortex_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _cortex_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _cortex_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _cortex_v1_GetStatusRequest, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Daemon version, uptime, Redis health, queue counts, memory budget, platform.
   */
  getStatus(argument: _cortex_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _cortex_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _cortex_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _cortex_v1_GetStatusRequest, callback: grpc.requestCallback<_cortex_v1_GetStatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Short names models may be pulled and referred to by: the built-in seeds' catalog and config.json `aliases`.
   */
  ListCatalog(argument: _cortex_v1_ListCatalogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  ListCatalog(argument: _cortex_v1_ListCatalogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  ListCatalog(argument: _cortex_v1_ListCatalogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  ListCatalog(argument: _cortex_v1_ListCatalogRequest, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Short names models may be pulled and referred to by: the built-in seeds' catalog and config.json `aliases`.
   */
  listCatalog(argument: _cortex_v1_ListCatalogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  listCatalog(argument: _cortex_v1_ListCatalogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  listCatalog(argument: _cortex_v1_ListCatalogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  listCatalog(argument: _cortex_v1_ListCatalogRequest, callback: grpc.requestCallback<_cortex_v1_ListCatalogResponse__Output>): grpc.ClientUnaryCall;
  
  ListManifests(argument: _cortex_v1_ListManifestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  ListManifests(argument: _cortex_v1_ListManifestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  ListManifests(argument: _cortex_v1_ListManifestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  ListManifests(argument: _cortex_v1_ListManifestsRequest, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  listManifests(argument: _cortex_v1_ListManifestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  listManifests(argument: _cortex_v1_ListManifestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  listManifests(argument: _cortex_v1_ListManifestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  listManifests(argument: _cortex_v1_ListManifestsRequest, callback: grpc.requestCallback<_cortex_v1_ListManifestsResponse__Output>): grpc.ClientUnaryCall;
  
  ListModels(argument: _cortex_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _cortex_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _cortex_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _cortex_v1_ListModelsRequest, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _cortex_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _cortex_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _cortex_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _cortex_v1_ListModelsRequest, callback: grpc.requestCallback<_cortex_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Cleanup: preview deletes nothing; apply deletes exactly what preview lists.
   */
  PreviewClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  PreviewClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  PreviewClean(argument: _cortex_v1_CleanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  PreviewClean(argument: _cortex_v1_CleanRequest, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Cleanup: preview deletes nothing; apply deletes exactly what preview lists.
   */
  previewClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  previewClean(argument: _cortex_v1_CleanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  previewClean(argument: _cortex_v1_CleanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  previewClean(argument: _cortex_v1_CleanRequest, callback: grpc.requestCallback<_cortex_v1_CleanResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The shared Hugging Face cache, as `hf cache scan` / `hf cache delete` see it.
   */
  ScanHfCache(argument: _cortex_v1_ScanHfCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  ScanHfCache(argument: _cortex_v1_ScanHfCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  ScanHfCache(argument: _cortex_v1_ScanHfCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  ScanHfCache(argument: _cortex_v1_ScanHfCacheRequest, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The shared Hugging Face cache, as `hf cache scan` / `hf cache delete` see it.
   */
  scanHfCache(argument: _cortex_v1_ScanHfCacheRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  scanHfCache(argument: _cortex_v1_ScanHfCacheRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  scanHfCache(argument: _cortex_v1_ScanHfCacheRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  scanHfCache(argument: _cortex_v1_ScanHfCacheRequest, callback: grpc.requestCallback<_cortex_v1_ScanHfCacheResponse__Output>): grpc.ClientUnaryCall;
  
  SyncManifests(argument: _cortex_v1_SyncManifestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  SyncManifests(argument: _cortex_v1_SyncManifestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  SyncManifests(argument: _cortex_v1_SyncManifestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  SyncManifests(argument: _cortex_v1_SyncManifestsRequest, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  syncManifests(argument: _cortex_v1_SyncManifestsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  syncManifests(argument: _cortex_v1_SyncManifestsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  syncManifests(argument: _cortex_v1_SyncManifestsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  syncManifests(argument: _cortex_v1_SyncManifestsRequest, callback: grpc.requestCallback<_cortex_v1_SyncManifestsResponse__Output>): grpc.ClientUnaryCall;
  
  TagModel(argument: _cortex_v1_TagModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  TagModel(argument: _cortex_v1_TagModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  TagModel(argument: _cortex_v1_TagModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  TagModel(argument: _cortex_v1_TagModelRequest, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  tagModel(argument: _cortex_v1_TagModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  tagModel(argument: _cortex_v1_TagModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  tagModel(argument: _cortex_v1_TagModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  tagModel(argument: _cortex_v1_TagModelRequest, callback: grpc.requestCallback<_cortex_v1_TagModelResponse__Output>): grpc.ClientUnaryCall;
  
  UntagModel(argument: _cortex_v1_UntagModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  UntagModel(argument: _cortex_v1_UntagModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  UntagModel(argument: _cortex_v1_UntagModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  UntagModel(argument: _cortex_v1_UntagModelRequest, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  untagModel(argument: _cortex_v1_UntagModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  untagModel(argument: _cortex_v1_UntagModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  untagModel(argument: _cortex_v1_UntagModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  untagModel(argument: _cortex_v1_UntagModelRequest, callback: grpc.requestCallback<_cortex_v1_UntagModelResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ModelServiceHandlers extends grpc.UntypedServiceImplementation {
  ApplyClean: grpc.handleUnaryCall<_cortex_v1_CleanRequest__Output, _cortex_v1_CleanResponse>;
  
  DeleteHfCache: grpc.handleUnaryCall<_cortex_v1_DeleteHfCacheRequest__Output, _cortex_v1_DeleteHfCacheResponse>;
  
  /**
   * Refuses a model that is loaded or used by a running job (FAILED_PRECONDITION).
   */
  DeleteModel: grpc.handleUnaryCall<_cortex_v1_DeleteModelRequest__Output, _cortex_v1_DeleteModelResponse>;
  
  /**
   * The effective configuration and where each value came from. Secrets are redacted.
   */
  GetConfig: grpc.handleUnaryCall<_cortex_v1_GetConfigRequest__Output, _cortex_v1_GetConfigResponse>;
  
  GetModel: grpc.handleUnaryCall<_cortex_v1_GetModelRequest__Output, _cortex_v1_GetModelResponse>;
  
  /**
   * The daemon's metrics as data: the same families and values the HTTP listener serves at GET /metrics
   * (requests, tokens, latencies, queued requests, loaded models and memory, evictions, jobs, downloads, Redis).
   */
  GetStats: grpc.handleUnaryCall<_cortex_v1_GetStatsRequest__Output, _cortex_v1_GetStatsResponse>;
  
  /**
   * Daemon version, uptime, Redis health, queue counts, memory budget, platform.
   */
  GetStatus: grpc.handleUnaryCall<_cortex_v1_GetStatusRequest__Output, _cortex_v1_GetStatusResponse>;
  
  /**
   * Short names models may be pulled and referred to by: the built-in seeds' catalog and config.json `aliases`.
   */
  ListCatalog: grpc.handleUnaryCall<_cortex_v1_ListCatalogRequest__Output, _cortex_v1_ListCatalogResponse>;
  
  ListManifests: grpc.handleUnaryCall<_cortex_v1_ListManifestsRequest__Output, _cortex_v1_ListManifestsResponse>;
  
  ListModels: grpc.handleUnaryCall<_cortex_v1_ListModelsRequest__Output, _cortex_v1_ListModelsResponse>;
  
  /**
   * Cleanup: preview deletes nothing; apply deletes exactly what preview lists.
   */
  PreviewClean: grpc.handleUnaryCall<_cortex_v1_CleanRequest__Output, _cortex_v1_CleanResponse>;
  
  /**
   * The shared Hugging Face cache, as `hf cache scan` / `hf cache delete` see it.
   */
  ScanHfCache: grpc.handleUnaryCall<_cortex_v1_ScanHfCacheRequest__Output, _cortex_v1_ScanHfCacheResponse>;
  
  SyncManifests: grpc.handleUnaryCall<_cortex_v1_SyncManifestsRequest__Output, _cortex_v1_SyncManifestsResponse>;
  
  TagModel: grpc.handleUnaryCall<_cortex_v1_TagModelRequest__Output, _cortex_v1_TagModelResponse>;
  
  UntagModel: grpc.handleUnaryCall<_cortex_v1_UntagModelRequest__Output, _cortex_v1_UntagModelResponse>;
  
}

export interface ModelServiceDefinition extends grpc.ServiceDefinition {
  ApplyClean: MethodDefinition<_cortex_v1_CleanRequest, _cortex_v1_CleanResponse, _cortex_v1_CleanRequest__Output, _cortex_v1_CleanResponse__Output>
  DeleteHfCache: MethodDefinition<_cortex_v1_DeleteHfCacheRequest, _cortex_v1_DeleteHfCacheResponse, _cortex_v1_DeleteHfCacheRequest__Output, _cortex_v1_DeleteHfCacheResponse__Output>
  DeleteModel: MethodDefinition<_cortex_v1_DeleteModelRequest, _cortex_v1_DeleteModelResponse, _cortex_v1_DeleteModelRequest__Output, _cortex_v1_DeleteModelResponse__Output>
  GetConfig: MethodDefinition<_cortex_v1_GetConfigRequest, _cortex_v1_GetConfigResponse, _cortex_v1_GetConfigRequest__Output, _cortex_v1_GetConfigResponse__Output>
  GetModel: MethodDefinition<_cortex_v1_GetModelRequest, _cortex_v1_GetModelResponse, _cortex_v1_GetModelRequest__Output, _cortex_v1_GetModelResponse__Output>
  GetStats: MethodDefinition<_cortex_v1_GetStatsRequest, _cortex_v1_GetStatsResponse, _cortex_v1_GetStatsRequest__Output, _cortex_v1_GetStatsResponse__Output>
  GetStatus: MethodDefinition<_cortex_v1_GetStatusRequest, _cortex_v1_GetStatusResponse, _cortex_v1_GetStatusRequest__Output, _cortex_v1_GetStatusResponse__Output>
  ListCatalog: MethodDefinition<_cortex_v1_ListCatalogRequest, _cortex_v1_ListCatalogResponse, _cortex_v1_ListCatalogRequest__Output, _cortex_v1_ListCatalogResponse__Output>
  ListManifests: MethodDefinition<_cortex_v1_ListManifestsRequest, _cortex_v1_ListManifestsResponse, _cortex_v1_ListManifestsRequest__Output, _cortex_v1_ListManifestsResponse__Output>
  ListModels: MethodDefinition<_cortex_v1_ListModelsRequest, _cortex_v1_ListModelsResponse, _cortex_v1_ListModelsRequest__Output, _cortex_v1_ListModelsResponse__Output>
  PreviewClean: MethodDefinition<_cortex_v1_CleanRequest, _cortex_v1_CleanResponse, _cortex_v1_CleanRequest__Output, _cortex_v1_CleanResponse__Output>
  ScanHfCache: MethodDefinition<_cortex_v1_ScanHfCacheRequest, _cortex_v1_ScanHfCacheResponse, _cortex_v1_ScanHfCacheRequest__Output, _cortex_v1_ScanHfCacheResponse__Output>
  SyncManifests: MethodDefinition<_cortex_v1_SyncManifestsRequest, _cortex_v1_SyncManifestsResponse, _cortex_v1_SyncManifestsRequest__Output, _cortex_v1_SyncManifestsResponse__Output>
  TagModel: MethodDefinition<_cortex_v1_TagModelRequest, _cortex_v1_TagModelResponse, _cortex_v1_TagModelRequest__Output, _cortex_v1_TagModelResponse__Output>
  UntagModel: MethodDefinition<_cortex_v1_UntagModelRequest, _cortex_v1_UntagModelResponse, _cortex_v1_UntagModelRequest__Output, _cortex_v1_UntagModelResponse__Output>
}

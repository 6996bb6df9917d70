import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CatalogEntry as _cortex_v1_CatalogEntry, CatalogEntry__Output as _cortex_v1_CatalogEntry__Output } from './cortex/v1/CatalogEntry.js';
import type { CleanCandidate as _cortex_v1_CleanCandidate, CleanCandidate__Output as _cortex_v1_CleanCandidate__Output } from './cortex/v1/CleanCandidate.js';
import type { CleanRequest as _cortex_v1_CleanRequest, CleanRequest__Output as _cortex_v1_CleanRequest__Output } from './cortex/v1/CleanRequest.js';
import type { CleanResponse as _cortex_v1_CleanResponse, CleanResponse__Output as _cortex_v1_CleanResponse__Output } from './cortex/v1/CleanResponse.js';
import type { ConfigEntry as _cortex_v1_ConfigEntry, ConfigEntry__Output as _cortex_v1_ConfigEntry__Output } from './cortex/v1/ConfigEntry.js';
import type { DeleteHfCacheRequest as _cortex_v1_DeleteHfCacheRequest, DeleteHfCacheRequest__Output as _cortex_v1_DeleteHfCacheRequest__Output } from './cortex/v1/DeleteHfCacheRequest.js';
import type { DeleteHfCacheResponse as _cortex_v1_DeleteHfCacheResponse, DeleteHfCacheResponse__Output as _cortex_v1_DeleteHfCacheResponse__Output } from './cortex/v1/DeleteHfCacheResponse.js';
import type { DeleteModelRequest as _cortex_v1_DeleteModelRequest, DeleteModelRequest__Output as _cortex_v1_DeleteModelRequest__Output } from './cortex/v1/DeleteModelRequest.js';
import type { DeleteModelResponse as _cortex_v1_DeleteModelResponse, DeleteModelResponse__Output as _cortex_v1_DeleteModelResponse__Output } from './cortex/v1/DeleteModelResponse.js';
import type { FleetWorker as _cortex_v1_FleetWorker, FleetWorker__Output as _cortex_v1_FleetWorker__Output } from './cortex/v1/FleetWorker.js';
import type { GetConfigRequest as _cortex_v1_GetConfigRequest, GetConfigRequest__Output as _cortex_v1_GetConfigRequest__Output } from './cortex/v1/GetConfigRequest.js';
import type { GetConfigResponse as _cortex_v1_GetConfigResponse, GetConfigResponse__Output as _cortex_v1_GetConfigResponse__Output } from './cortex/v1/GetConfigResponse.js';
import type { GetModelRequest as _cortex_v1_GetModelRequest, GetModelRequest__Output as _cortex_v1_GetModelRequest__Output } from './cortex/v1/GetModelRequest.js';
import type { GetModelResponse as _cortex_v1_GetModelResponse, GetModelResponse__Output as _cortex_v1_GetModelResponse__Output } from './cortex/v1/GetModelResponse.js';
import type { GetStatsRequest as _cortex_v1_GetStatsRequest, GetStatsRequest__Output as _cortex_v1_GetStatsRequest__Output } from './cortex/v1/GetStatsRequest.js';
import type { GetStatsResponse as _cortex_v1_GetStatsResponse, GetStatsResponse__Output as _cortex_v1_GetStatsResponse__Output } from './cortex/v1/GetStatsResponse.js';
import type { GetStatusRequest as _cortex_v1_GetStatusRequest, GetStatusRequest__Output as _cortex_v1_GetStatusRequest__Output } from './cortex/v1/GetStatusRequest.js';
import type { GetStatusResponse as _cortex_v1_GetStatusResponse, GetStatusResponse__Output as _cortex_v1_GetStatusResponse__Output } from './cortex/v1/GetStatusResponse.js';
import type { HfCacheRepo as _cortex_v1_HfCacheRepo, HfCacheRepo__Output as _cortex_v1_HfCacheRepo__Output } from './cortex/v1/HfCacheRepo.js';
import type { HfCacheRevision as _cortex_v1_HfCacheRevision, HfCacheRevision__Output as _cortex_v1_HfCacheRevision__Output } from './cortex/v1/HfCacheRevision.js';
import type { HfIncompleteFile as _cortex_v1_HfIncompleteFile, HfIncompleteFile__Output as _cortex_v1_HfIncompleteFile__Output } from './cortex/v1/HfIncompleteFile.js';
import type { ListCatalogRequest as _cortex_v1_ListCatalogRequest, ListCatalogRequest__Output as _cortex_v1_ListCatalogRequest__Output } from './cortex/v1/ListCatalogRequest.js';
import type { ListCatalogResponse as _cortex_v1_ListCatalogResponse, ListCatalogResponse__Output as _cortex_v1_ListCatalogResponse__Output } from './cortex/v1/ListCatalogResponse.js';
import type { ListManifestsRequest as _cortex_v1_ListManifestsRequest, ListManifestsRequest__Output as _cortex_v1_ListManifestsRequest__Output } from './cortex/v1/ListManifestsRequest.js';
import type { ListManifestsResponse as _cortex_v1_ListManifestsResponse, ListManifestsResponse__Output as _cortex_v1_ListManifestsResponse__Output } from './cortex/v1/ListManifestsResponse.js';
import type { ListModelsRequest as _cortex_v1_ListModelsRequest, ListModelsRequest__Output as _cortex_v1_ListModelsRequest__Output } from './cortex/v1/ListModelsRequest.js';
import type { ListModelsResponse as _cortex_v1_ListModelsResponse, ListModelsResponse__Output as _cortex_v1_ListModelsResponse__Output } from './cortex/v1/ListModelsResponse.js';
import type { LoraInfo as _cortex_v1_LoraInfo, LoraInfo__Output as _cortex_v1_LoraInfo__Output } from './cortex/v1/LoraInfo.js';
import type { ManifestSummary as _cortex_v1_ManifestSummary, ManifestSummary__Output as _cortex_v1_ManifestSummary__Output } from './cortex/v1/ManifestSummary.js';
import type { MemoryBudget as _cortex_v1_MemoryBudget, MemoryBudget__Output as _cortex_v1_MemoryBudget__Output } from './cortex/v1/MemoryBudget.js';
import type { MetricFamily as _cortex_v1_MetricFamily, MetricFamily__Output as _cortex_v1_MetricFamily__Output } from './cortex/v1/MetricFamily.js';
import type { MetricLabel as _cortex_v1_MetricLabel, MetricLabel__Output as _cortex_v1_MetricLabel__Output } from './cortex/v1/MetricLabel.js';
import type { MetricSample as _cortex_v1_MetricSample, MetricSample__Output as _cortex_v1_MetricSample__Output } from './cortex/v1/MetricSample.js';
import type { MlxQuantization as _cortex_v1_MlxQuantization, MlxQuantization__Output as _cortex_v1_MlxQuantization__Output } from './cortex/v1/MlxQuantization.js';
import type { ModelAlternate as _cortex_v1_ModelAlternate, ModelAlternate__Output as _cortex_v1_ModelAlternate__Output } from './cortex/v1/ModelAlternate.js';
import type { ModelComponent as _cortex_v1_ModelComponent, ModelComponent__Output as _cortex_v1_ModelComponent__Output } from './cortex/v1/ModelComponent.js';
import type { ModelFile as _cortex_v1_ModelFile, ModelFile__Output as _cortex_v1_ModelFile__Output } from './cortex/v1/ModelFile.js';
import type { ModelInfo as _cortex_v1_ModelInfo, ModelInfo__Output as _cortex_v1_ModelInfo__Output } from './cortex/v1/ModelInfo.js';
import type { ModelServiceClient as _cortex_v1_ModelServiceClient, ModelServiceDefinition as _cortex_v1_ModelServiceDefinition } from './cortex/v1/ModelService.js';
import type { PageRequest as _cortex_v1_PageRequest, PageRequest__Output as _cortex_v1_PageRequest__Output } from './cortex/v1/PageRequest.js';
import type { PlatformInfo as _cortex_v1_PlatformInfo, PlatformInfo__Output as _cortex_v1_PlatformInfo__Output } from './cortex/v1/PlatformInfo.js';
import type { QueueCounts as _cortex_v1_QueueCounts, QueueCounts__Output as _cortex_v1_QueueCounts__Output } from './cortex/v1/QueueCounts.js';
import type { RedisStatus as _cortex_v1_RedisStatus, RedisStatus__Output as _cortex_v1_RedisStatus__Output } from './cortex/v1/RedisStatus.js';
import type { ScanHfCacheRequest as _cortex_v1_ScanHfCacheRequest, ScanHfCacheRequest__Output as _cortex_v1_ScanHfCacheRequest__Output } from './cortex/v1/ScanHfCacheRequest.js';
import type { ScanHfCacheResponse as _cortex_v1_ScanHfCacheResponse, ScanHfCacheResponse__Output as _cortex_v1_ScanHfCacheResponse__Output } from './cortex/v1/ScanHfCacheResponse.js';
import type { SyncManifestsRequest as _cortex_v1_SyncManifestsRequest, SyncManifestsRequest__Output as _cortex_v1_SyncManifestsRequest__Output } from './cortex/v1/SyncManifestsRequest.js';
import type { SyncManifestsResponse as _cortex_v1_SyncManifestsResponse, SyncManifestsResponse__Output as _cortex_v1_SyncManifestsResponse__Output } from './cortex/v1/SyncManifestsResponse.js';
import type { TagModelRequest as _cortex_v1_TagModelRequest, TagModelRequest__Output as _cortex_v1_TagModelRequest__Output } from './cortex/v1/TagModelRequest.js';
import type { TagModelResponse as _cortex_v1_TagModelResponse, TagModelResponse__Output as _cortex_v1_TagModelResponse__Output } from './cortex/v1/TagModelResponse.js';
import type { UntagModelRequest as _cortex_v1_UntagModelRequest, UntagModelRequest__Output as _cortex_v1_UntagModelRequest__Output } from './cortex/v1/UntagModelRequest.js';
import type { UntagModelResponse as _cortex_v1_UntagModelResponse, UntagModelResponse__Output as _cortex_v1_UntagModelResponse__Output } from './cortex/v1/UntagModelResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cortex: {
    v1: {
      CatalogEntry: MessageTypeDefinition<_cortex_v1_CatalogEntry, _cortex_v1_CatalogEntry__Output>
      CleanCandidate: MessageTypeDefinition<_cortex_v1_CleanCandidate, _cortex_v1_CleanCandidate__Output>
      CleanRequest: MessageTypeDefinition<_cortex_v1_CleanRequest, _cortex_v1_CleanRequest__Output>
      CleanResponse: MessageTypeDefinition<_cortex_v1_CleanResponse, _cortex_v1_CleanResponse__Output>
      ConfigEntry: MessageTypeDefinition<_cortex_v1_ConfigEntry, _cortex_v1_ConfigEntry__Output>
      DeleteHfCacheRequest: MessageTypeDefinition<_cortex_v1_DeleteHfCacheRequest, _cortex_v1_DeleteHfCacheRequest__Output>
      DeleteHfCacheResponse: MessageTypeDefinition<_cortex_v1_DeleteHfCacheResponse, _cortex_v1_DeleteHfCacheResponse__Output>
      DeleteModelRequest: MessageTypeDefinition<_cortex_v1_DeleteModelRequest, _cortex_v1_DeleteModelRequest__Output>
      DeleteModelResponse: MessageTypeDefinition<_cortex_v1_DeleteModelResponse, _cortex_v1_DeleteModelResponse__Output>
      FleetWorker: MessageTypeDefinition<_cortex_v1_FleetWorker, _cortex_v1_FleetWorker__Output>
      GetConfigRequest: MessageTypeDefinition<_cortex_v1_GetConfigRequest, _cortex_v1_GetConfigRequest__Output>
      GetConfigResponse: MessageTypeDefinition<_cortex_v1_GetConfigResponse, _cortex_v1_GetConfigResponse__Output>
      GetModelRequest: MessageTypeDefinition<_cortex_v1_GetModelRequest, _cortex_v1_GetModelRequest__Output>
      GetModelResponse: MessageTypeDefinition<_cortex_v1_GetModelResponse, _cortex_v1_GetModelResponse__Output>
      GetStatsRequest: MessageTypeDefinition<_cortex_v1_GetStatsRequest, _cortex_v1_GetStatsRequest__Output>
      GetStatsResponse: MessageTypeDefinition<_cortex_v1_GetStatsResponse, _cortex_v1_GetStatsResponse__Output>
      GetStatusRequest: MessageTypeDefinition<_cortex_v1_GetStatusRequest, _cortex_v1_GetStatusRequest__Output>
      GetStatusResponse: MessageTypeDefinition<_cortex_v1_GetStatusResponse, _cortex_v1_GetStatusResponse__Output>
      HfCacheRepo: MessageTypeDefinition<_cortex_v1_HfCacheRepo, _cortex_v1_HfCacheRepo__Output>
      HfCacheRevision: MessageTypeDefinition<_cortex_v1_HfCacheRevision, _cortex_v1_HfCacheRevision__Output>
      HfIncompleteFile: MessageTypeDefinition<_cortex_v1_HfIncompleteFile, _cortex_v1_HfIncompleteFile__Output>
      ListCatalogRequest: MessageTypeDefinition<_cortex_v1_ListCatalogRequest, _cortex_v1_ListCatalogRequest__Output>
      ListCatalogResponse: MessageTypeDefinition<_cortex_v1_ListCatalogResponse, _cortex_v1_ListCatalogResponse__Output>
      ListManifestsRequest: MessageTypeDefinition<_cortex_v1_ListManifestsRequest, _cortex_v1_ListManifestsRequest__Output>
      ListManifestsResponse: MessageTypeDefinition<_cortex_v1_ListManifestsResponse, _cortex_v1_ListManifestsResponse__Output>
      ListModelsRequest: MessageTypeDefinition<_cortex_v1_ListModelsRequest, _cortex_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_cortex_v1_ListModelsResponse, _cortex_v1_ListModelsResponse__Output>
      LoraInfo: MessageTypeDefinition<_cortex_v1_LoraInfo, _cortex_v1_LoraInfo__Output>
      ManifestSummary: MessageTypeDefinition<_cortex_v1_ManifestSummary, _cortex_v1_ManifestSummary__Output>
      MemoryBudget: MessageTypeDefinition<_cortex_v1_MemoryBudget, _cortex_v1_MemoryBudget__Output>
      MetricFamily: MessageTypeDefinition<_cortex_v1_MetricFamily, _cortex_v1_MetricFamily__Output>
      MetricLabel: MessageTypeDefinition<_cortex_v1_MetricLabel, _cortex_v1_MetricLabel__Output>
      MetricSample: MessageTypeDefinition<_cortex_v1_MetricSample, _cortex_v1_MetricSample__Output>
      MlxQuantization: MessageTypeDefinition<_cortex_v1_MlxQuantization, _cortex_v1_MlxQuantization__Output>
      ModelAlternate: MessageTypeDefinition<_cortex_v1_ModelAlternate, _cortex_v1_ModelAlternate__Output>
      ModelComponent: MessageTypeDefinition<_cortex_v1_ModelComponent, _cortex_v1_ModelComponent__Output>
      ModelFile: MessageTypeDefinition<_cortex_v1_ModelFile, _cortex_v1_ModelFile__Output>
      ModelFormat: EnumTypeDefinition
      ModelInfo: MessageTypeDefinition<_cortex_v1_ModelInfo, _cortex_v1_ModelInfo__Output>
      ModelService: SubtypeConstructor<typeof grpc.Client, _cortex_v1_ModelServiceClient> & { service: _cortex_v1_ModelServiceDefinition }
      PageRequest: MessageTypeDefinition<_cortex_v1_PageRequest, _cortex_v1_PageRequest__Output>
      PlatformInfo: MessageTypeDefinition<_cortex_v1_PlatformInfo, _cortex_v1_PlatformInfo__Output>
      Quantization: EnumTypeDefinition
      QueueCounts: MessageTypeDefinition<_cortex_v1_QueueCounts, _cortex_v1_QueueCounts__Output>
      RedisStatus: MessageTypeDefinition<_cortex_v1_RedisStatus, _cortex_v1_RedisStatus__Output>
      ScanHfCacheRequest: MessageTypeDefinition<_cortex_v1_ScanHfCacheRequest, _cortex_v1_ScanHfCacheRequest__Output>
      ScanHfCacheResponse: MessageTypeDefinition<_cortex_v1_ScanHfCacheResponse, _cortex_v1_ScanHfCacheResponse__Output>
      SyncManifestsRequest: MessageTypeDefinition<_cortex_v1_SyncManifestsRequest, _cortex_v1_SyncManifestsRequest__Output>
      SyncManifestsResponse: MessageTypeDefinition<_cortex_v1_SyncManifestsResponse, _cortex_v1_SyncManifestsResponse__Output>
      TagModelRequest: MessageTypeDefinition<_cortex_v1_TagModelRequest, _cortex_v1_TagModelRequest__Output>
      TagModelResponse: MessageTypeDefinition<_cortex_v1_TagModelResponse, _cortex_v1_TagModelResponse__Output>
      UntagModelRequest: MessageTypeDefinition<_cortex_v1_UntagModelRequest, _cortex_v1_UntagModelRequest__Output>
      UntagModelResponse: MessageTypeDefinition<_cortex_v1_UntagModelResponse, _cortex_v1_UntagModelResponse__Output>
    }
  }
}


import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChatMessage as _cortex_v1_ChatMessage, ChatMessage__Output as _cortex_v1_ChatMessage__Output } from './cortex/v1/ChatMessage.js';
import type { ChatRequest as _cortex_v1_ChatRequest, ChatRequest__Output as _cortex_v1_ChatRequest__Output } from './cortex/v1/ChatRequest.js';
import type { EmbedRequest as _cortex_v1_EmbedRequest, EmbedRequest__Output as _cortex_v1_EmbedRequest__Output } from './cortex/v1/EmbedRequest.js';
import type { EmbedResponse as _cortex_v1_EmbedResponse, EmbedResponse__Output as _cortex_v1_EmbedResponse__Output } from './cortex/v1/EmbedResponse.js';
import type { Embedding as _cortex_v1_Embedding, Embedding__Output as _cortex_v1_Embedding__Output } from './cortex/v1/Embedding.js';
import type { GenerateRequest as _cortex_v1_GenerateRequest, GenerateRequest__Output as _cortex_v1_GenerateRequest__Output } from './cortex/v1/GenerateRequest.js';
import type { GenerateResponse as _cortex_v1_GenerateResponse, GenerateResponse__Output as _cortex_v1_GenerateResponse__Output } from './cortex/v1/GenerateResponse.js';
import type { GenerationStats as _cortex_v1_GenerationStats, GenerationStats__Output as _cortex_v1_GenerationStats__Output } from './cortex/v1/GenerationStats.js';
import type { InferenceServiceClient as _cortex_v1_InferenceServiceClient, InferenceServiceDefinition as _cortex_v1_InferenceServiceDefinition } from './cortex/v1/InferenceService.js';
import type { ListLoadedModelsRequest as _cortex_v1_ListLoadedModelsRequest, ListLoadedModelsRequest__Output as _cortex_v1_ListLoadedModelsRequest__Output } from './cortex/v1/ListLoadedModelsRequest.js';
import type { ListLoadedModelsResponse as _cortex_v1_ListLoadedModelsResponse, ListLoadedModelsResponse__Output as _cortex_v1_ListLoadedModelsResponse__Output } from './cortex/v1/ListLoadedModelsResponse.js';
import type { LoadModelRequest as _cortex_v1_LoadModelRequest, LoadModelRequest__Output as _cortex_v1_LoadModelRequest__Output } from './cortex/v1/LoadModelRequest.js';
import type { LoadModelResponse as _cortex_v1_LoadModelResponse, LoadModelResponse__Output as _cortex_v1_LoadModelResponse__Output } from './cortex/v1/LoadModelResponse.js';
import type { LoadOptions as _cortex_v1_LoadOptions, LoadOptions__Output as _cortex_v1_LoadOptions__Output } from './cortex/v1/LoadOptions.js';
import type { LoadedModel as _cortex_v1_LoadedModel, LoadedModel__Output as _cortex_v1_LoadedModel__Output } from './cortex/v1/LoadedModel.js';
import type { SamplingOptions as _cortex_v1_SamplingOptions, SamplingOptions__Output as _cortex_v1_SamplingOptions__Output } from './cortex/v1/SamplingOptions.js';
import type { Tool as _cortex_v1_Tool, Tool__Output as _cortex_v1_Tool__Output } from './cortex/v1/Tool.js';
import type { ToolCall as _cortex_v1_ToolCall, ToolCall__Output as _cortex_v1_ToolCall__Output } from './cortex/v1/ToolCall.js';
import type { UnloadModelRequest as _cortex_v1_UnloadModelRequest, UnloadModelRequest__Output as _cortex_v1_UnloadModelRequest__Output } from './cortex/v1/UnloadModelRequest.js';
import type { UnloadModelResponse as _cortex_v1_UnloadModelResponse, UnloadModelResponse__Output as _cortex_v1_UnloadModelResponse__Output } from './cortex/v1/UnloadModelResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  cortex: {
    v1: {
      ChatMessage: MessageTypeDefinition<_cortex_v1_ChatMessage, _cortex_v1_ChatMessage__Output>
      ChatRequest: MessageTypeDefinition<_cortex_v1_ChatRequest, _cortex_v1_ChatRequest__Output>
      EmbedRequest: MessageTypeDefinition<_cortex_v1_EmbedRequest, _cortex_v1_EmbedRequest__Output>
      EmbedResponse: MessageTypeDefinition<_cortex_v1_EmbedResponse, _cortex_v1_EmbedResponse__Output>
      Embedding: MessageTypeDefinition<_cortex_v1_Embedding, _cortex_v1_Embedding__Output>
      GenerateRequest: MessageTypeDefinition<_cortex_v1_GenerateRequest, _cortex_v1_GenerateRequest__Output>
      GenerateResponse: MessageTypeDefinition<_cortex_v1_GenerateResponse, _cortex_v1_GenerateResponse__Output>
      GenerationStats: MessageTypeDefinition<_cortex_v1_GenerationStats, _cortex_v1_GenerationStats__Output>
      InferenceService: SubtypeConstructor<typeof grpc.Client, _cortex_v1_InferenceServiceClient> & { service: _cortex_v1_InferenceServiceDefinition }
      ListLoadedModelsRequest: MessageTypeDefinition<_cortex_v1_ListLoadedModelsRequest, _cortex_v1_ListLoadedModelsRequest__Output>
      ListLoadedModelsResponse: MessageTypeDefinition<_cortex_v1_ListLoadedModelsResponse, _cortex_v1_ListLoadedModelsResponse__Output>
      LoadModelRequest: MessageTypeDefinition<_cortex_v1_LoadModelRequest, _cortex_v1_LoadModelRequest__Output>
      LoadModelResponse: MessageTypeDefinition<_cortex_v1_LoadModelResponse, _cortex_v1_LoadModelResponse__Output>
      LoadOptions: MessageTypeDefinition<_cortex_v1_LoadOptions, _cortex_v1_LoadOptions__Output>
      LoadedModel: MessageTypeDefinition<_cortex_v1_LoadedModel, _cortex_v1_LoadedModel__Output>
      SamplingOptions: MessageTypeDefinition<_cortex_v1_SamplingOptions, _cortex_v1_SamplingOptions__Output>
      Tool: MessageTypeDefinition<_cortex_v1_Tool, _cortex_v1_Tool__Output>
      ToolCall: MessageTypeDefinition<_cortex_v1_ToolCall, _cortex_v1_ToolCall__Output>
      UnloadModelRequest: MessageTypeDefinition<_cortex_v1_UnloadModelRequest, _cortex_v1_UnloadModelRequest__Output>
      UnloadModelResponse: MessageTypeDefinition<_cortex_v1_UnloadModelResponse, _cortex_v1_UnloadModelResponse__Output>
    }
  }
}


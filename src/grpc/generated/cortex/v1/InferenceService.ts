// Original file: proto/cortex/v1/inference.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ChatRequest as _cortex_v1_ChatRequest, ChatRequest__Output as _cortex_v1_ChatRequest__Output } from '../../cortex/v1/ChatRequest.js';
import type { EmbedRequest as _cortex_v1_EmbedRequest, EmbedRequest__Output as _cortex_v1_EmbedRequest__Output } from '../../cortex/v1/EmbedRequest.js';
import type { EmbedResponse as _cortex_v1_EmbedResponse, EmbedResponse__Output as _cortex_v1_EmbedResponse__Output } from '../../cortex/v1/EmbedResponse.js';
import type { GenerateRequest as _cortex_v1_GenerateRequest, GenerateRequest__Output as _cortex_v1_GenerateRequest__Output } from '../../cortex/v1/GenerateRequest.js';
import type { GenerateResponse as _cortex_v1_GenerateResponse, GenerateResponse__Output as _cortex_v1_GenerateResponse__Output } from '../../cortex/v1/GenerateResponse.js';
import type { ListLoadedModelsRequest as _cortex_v1_ListLoadedModelsRequest, ListLoadedModelsRequest__Output as _cortex_v1_ListLoadedModelsRequest__Output } from '../../cortex/v1/ListLoadedModelsRequest.js';
import type { ListLoadedModelsResponse as _cortex_v1_ListLoadedModelsResponse, ListLoadedModelsResponse__Output as _cortex_v1_ListLoadedModelsResponse__Output } from '../../cortex/v1/ListLoadedModelsResponse.js';
import type { LoadModelRequest as _cortex_v1_LoadModelRequest, LoadModelRequest__Output as _cortex_v1_LoadModelRequest__Output } from '../../cortex/v1/LoadModelRequest.js';
import type { LoadModelResponse as _cortex_v1_LoadModelResponse, LoadModelResponse__Output as _cortex_v1_LoadModelResponse__Output } from '../../cortex/v1/LoadModelResponse.js';
import type { UnloadModelRequest as _cortex_v1_UnloadModelRequest, UnloadModelRequest__Output as _cortex_v1_UnloadModelRequest__Output } from '../../cortex/v1/UnloadModelRequest.js';
import type { UnloadModelResponse as _cortex_v1_UnloadModelResponse, UnloadModelResponse__Output as _cortex_v1_UnloadModelResponse__Output } from '../../cortex/v1/UnloadModelResponse.js';

export interface InferenceServiceClient extends grpc.Client {
  Chat(argument: _cortex_v1_ChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  Chat(argument: _cortex_v1_ChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  chat(argument: _cortex_v1_ChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  chat(argument: _cortex_v1_ChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  
  Embed(argument: _cortex_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _cortex_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _cortex_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _cortex_v1_EmbedRequest, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _cortex_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _cortex_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _cortex_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _cortex_v1_EmbedRequest, callback: grpc.requestCallback<_cortex_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  
  Generate(argument: _cortex_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  Generate(argument: _cortex_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  generate(argument: _cortex_v1_GenerateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  generate(argument: _cortex_v1_GenerateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cortex_v1_GenerateResponse__Output>;
  
  ListLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  ListLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  ListLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  ListLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  listLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  listLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  listLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  listLoadedModels(argument: _cortex_v1_ListLoadedModelsRequest, callback: grpc.requestCallback<_cortex_v1_ListLoadedModelsResponse__Output>): grpc.ClientUnaryCall;
  
  LoadModel(argument: _cortex_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _cortex_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _cortex_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  LoadModel(argument: _cortex_v1_LoadModelRequest, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _cortex_v1_LoadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _cortex_v1_LoadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _cortex_v1_LoadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  loadModel(argument: _cortex_v1_LoadModelRequest, callback: grpc.requestCallback<_cortex_v1_LoadModelResponse__Output>): grpc.ClientUnaryCall;
  
  UnloadModel(argument: _cortex_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _cortex_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _cortex_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  UnloadModel(argument: _cortex_v1_UnloadModelRequest, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _cortex_v1_UnloadModelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _cortex_v1_UnloadModelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _cortex_v1_UnloadModelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  unloadModel(argument: _cortex_v1_UnloadModelRequest, callback: grpc.requestCallback<_cortex_v1_UnloadModelResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface InferenceServiceHandlers extends grpc.UntypedServiceImplementation {
  Chat: grpc.handleServerStreamingCall<_cortex_v1_ChatRequest__Output, _cortex_v1_GenerateResponse>;
  
  Embed: grpc.handleUnaryCall<_cortex_v1_EmbedRequest__Output, _cortex_v1_EmbedResponse>;
  
  Generate: grpc.handleServerStreamingCall<_cortex_v1_GenerateRequest__Output, _cortex_v1_GenerateResponse>;
  
  ListLoadedModels: grpc.handleUnaryCall<_cortex_v1_ListLoadedModelsRequest__Output, _cortex_v1_ListLoadedModelsResponse>;
  
  LoadModel: grpc.handleUnaryCall<_cortex_v1_LoadModelRequest__Output, _cortex_v1_LoadModelResponse>;
  
  UnloadModel: grpc.handleUnaryCall<_cortex_v1_UnloadModelRequest__Output, _cortex_v1_UnloadModelResponse>;
  
}

export interface InferenceServiceDefinition extends grpc.ServiceDefinition {
  Chat: MethodDefinition<_cortex_v1_ChatRequest, _cortex_v1_GenerateResponse, _cortex_v1_ChatRequest__Output, _cortex_v1_GenerateResponse__Output>
  Embed: MethodDefinition<_cortex_v1_EmbedRequest, _cortex_v1_EmbedResponse, _cortex_v1_EmbedRequest__Output, _cortex_v1_EmbedResponse__Output>
  Generate: MethodDefinition<_cortex_v1_GenerateRequest, _cortex_v1_GenerateResponse, _cortex_v1_GenerateRequest__Output, _cortex_v1_GenerateResponse__Output>
  ListLoadedModels: MethodDefinition<_cortex_v1_ListLoadedModelsRequest, _cortex_v1_ListLoadedModelsResponse, _cortex_v1_ListLoadedModelsRequest__Output, _cortex_v1_ListLoadedModelsResponse__Output>
  LoadModel: MethodDefinition<_cortex_v1_LoadModelRequest, _cortex_v1_LoadModelResponse, _cortex_v1_LoadModelRequest__Output, _cortex_v1_LoadModelResponse__Output>
  UnloadModel: MethodDefinition<_cortex_v1_UnloadModelRequest, _cortex_v1_UnloadModelResponse, _cortex_v1_UnloadModelRequest__Output, _cortex_v1_UnloadModelResponse__Output>
}

// Original file: proto/cortex/v1/inference.proto

import type { Long } from '@grpc/proto-loader';

export interface LoadedModel {
  'model'?: (string);
  'path'?: (string);
  'context_size'?: (number);
  'memory_bytes'?: (number | string | Long);
  /**
   * The pool's estimate at this load's context_size × parallel (what ListModels shows at the default settings).
   */
  'estimated_memory_bytes'?: (number | string | Long);
  'expires_at'?: (string);
  'pinned'?: (boolean);
  'active_requests'?: (number);
  'queued_requests'?: (number);
  'tokens_per_second'?: (number | string);
  'loaded_at'?: (string);
  'load_seconds'?: (number | string);
  /**
   * Which variant was loaded and why (dynamic quantization fallback).
   */
  'variant'?: (string);
  'variant_reason'?: (string);
  'gpu_layers'?: (number);
  /**
   * "loading", "ready", "unloading".
   */
  'state'?: (string);
  'parallel'?: (number);
  /**
   * The runner process holding the model.
   */
  'runner_pid'?: (number);
  /**
   * Resident set of that runner process (Node + llama.cpp + touched weights).
   */
  'process_rss_bytes'?: (number | string | Long);
  'vram_bytes'?: (number | string | Long);
  /**
   * Effective keep-alive (-1 forever, also when pinned).
   */
  'ttl_seconds'?: (number | string | Long);
  'requests_served'?: (number | string | Long);
}

export interface LoadedModel__Output {
  'model': (string);
  'path': (string);
  'context_size': (number);
  'memory_bytes': (number);
  /**
   * The pool's estimate at this load's context_size × parallel (what ListModels shows at the default settings).
   */
  'estimated_memory_bytes': (number);
  'expires_at': (string);
  'pinned': (boolean);
  'active_requests': (number);
  'queued_requests': (number);
  'tokens_per_second': (number);
  'loaded_at': (string);
  'load_seconds': (number);
  /**
   * Which variant was loaded and why (dynamic quantization fallback).
   */
  'variant': (string);
  'variant_reason': (string);
  'gpu_layers': (number);
  /**
   * "loading", "ready", "unloading".
   */
  'state': (string);
  'parallel': (number);
  /**
   * The runner process holding the model.
   */
  'runner_pid': (number);
  /**
   * Resident set of that runner process (Node + llama.cpp + touched weights).
   */
  'process_rss_bytes': (number);
  'vram_bytes': (number);
  /**
   * Effective keep-alive (-1 forever, also when pinned).
   */
  'ttl_seconds': (number);
  'requests_served': (number);
}

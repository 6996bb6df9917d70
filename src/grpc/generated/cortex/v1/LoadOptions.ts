// Original file: proto/cortex/v1/inference.proto

import type { Long } from '@grpc/proto-loader';

export interface LoadOptions {
  /**
   * Context tokens per sequence; 0 = the daemon's contextSize (4096 by default), or the model's training context if
   * smaller.
   */
  'context_size'?: (number);
  /**
   * Layers offloaded to the GPU: unset or -1 = as many as fit ("auto"), 0 = CPU only.
   */
  'gpu_layers'?: (number);
  /**
   * Keep-alive seconds after the last request; -1 forever, 0 unload after the request. Unset = default (300).
   */
  'ttl_seconds'?: (number | string | Long);
  /**
   * Never evicted, never expires (until UnloadModel). LoadModel sets it as given; requests can only set it.
   */
  'pin'?: (boolean);
  /**
   * Requests served at once (parallel sequences, each with context_size tokens); 0 = the daemon's parallel (4 by
   * default).
   */
  'parallel'?: (number);
  /**
   * CPU threads; 0 = the daemon's `threads` setting (the machine's cores).
   */
  'threads'?: (number);
  '_gpu_layers'?: "gpu_layers";
  '_ttl_seconds'?: "ttl_seconds";
}

export interface LoadOptions__Output {
  /**
   * Context tokens per sequence; 0 = the daemon's contextSize (4096 by default), or the model's training context if
   * smaller.
   */
  'context_size': (number);
  /**
   * Layers offloaded to the GPU: unset or -1 = as many as fit ("auto"), 0 = CPU only.
   */
  'gpu_layers'?: (number);
  /**
   * Keep-alive seconds after the last request; -1 forever, 0 unload after the request. Unset = default (300).
   */
  'ttl_seconds'?: (number);
  /**
   * Never evicted, never expires (until UnloadModel). LoadModel sets it as given; requests can only set it.
   */
  'pin': (boolean);
  /**
   * Requests served at once (parallel sequences, each with context_size tokens); 0 = the daemon's parallel (4 by
   * default).
   */
  'parallel': (number);
  /**
   * CPU threads; 0 = the daemon's `threads` setting (the machine's cores).
   */
  'threads': (number);
  '_gpu_layers'?: "gpu_layers";
  '_ttl_seconds'?: "ttl_seconds";
}

import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, SamplingSpec } from "../engine/engine-types.js";

/**
 * The IPC protocol between the daemon and a runner child process (one model per runner). Messages travel with
 * Node's "advanced" serialization (structured clone), so Float32Array embeddings cross without JSON.
 */

/** Daemon → runner. `id` pairs a request with its replies. */
export type ToRunner =
  | { t: "load"; id: number; spec: LoadSpec }
  | { t: "generate"; id: number; input: GenerationInput; sampling: SamplingSpec }
  | { t: "cancel"; id: number }
  | { t: "embed"; id: number; inputs: string[] }
  | { t: "memory"; id: number }
  | { t: "exit" };

/** Runner → daemon. */
export type FromRunner =
  | { t: "hello"; device: DeviceInfo; pid: number }
  | { t: "loaded"; id: number; result: LoadResult }
  /** Text generated since the last piece; several tokens are coalesced while the previous message is in flight. */
  | { t: "piece"; id: number; text: string; tokens: number }
  /** The end of a generation, with the text (and its token count) generated since the last piece. */
  | { t: "generated"; id: number; result: GenerationResult; text: string; tokens: number }
  | { t: "embedded"; id: number; result: EmbedResult }
  | { t: "memory"; id: number; sample: MemorySample }
  | { t: "error"; id: number; code: string; message: string };

import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "./engine-types.js";

/**
 * What a runner needs from an inference engine: the native engine (llama.cpp's C API through koffi, the default)
 * and node-llama-cpp's (kept selectable as `engine: "node-llama-cpp"`) both provide it.
 */
export interface InferenceEngine {
  /** The last llama.cpp warnings and errors (a failed load's cause is there). */
  recentLog(): string[];
  device(): Promise<DeviceInfo>;
  memory(): Promise<MemorySample>;
  load(spec: LoadSpec): Promise<{ model: LoadedModel; result: LoadResult }>;
  dispose(): Promise<void>;
}

/** One loaded model serving up to `parallel` generations at once. */
export interface LoadedModel {
  /**
   * Runs `fn` once, as soon as the next decode is handed to llama.cpp (or at once when idle soon after): a
   * runner's IPC write done then overlaps the decoding instead of delaying the next token.
   */
  whileDecoding(fn: () => void): void;
  /** Generates into `sink`; stops within one token of `signal` aborting (finish reason "cancelled"). */
  generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult>;
  embed(inputs: readonly string[]): Promise<EmbedResult>;
  dispose(): Promise<void>;
}

export const ENGINE_KINDS = ["native", "node-llama-cpp"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export function isEngineKind(v: string): v is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(v);
}

export interface EngineOptions {
  threads: number;
  gpu: "auto" | false;
}

/** Creates the engine of `kind` (each is imported only when chosen). */
export async function createEngine(kind: EngineKind, opts: EngineOptions): Promise<InferenceEngine> {
  if (kind === "native") {
    const { NativeEngine } = await import("./native/native-engine.js");
    return NativeEngine.create(opts);
  }
  const { LlamaEngine } = await import("./llama-engine.js");
  return LlamaEngine.create(opts);
}

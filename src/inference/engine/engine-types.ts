/**
 * Wire-neutral types shared by the engine (node-llama-cpp), the runner processes and the pool. Plain data only:
 * every value here crosses the runner IPC boundary.
 */

/** What a runner found on its machine: the GPU backend and the memory llama.cpp can see. */
export interface DeviceInfo {
  /** "metal", "cuda", "vulkan" or false for CPU only. */
  gpu: string | false;
  vramTotalBytes: number;
  vramFreeBytes: number;
  /** Memory shared by CPU and GPU (Apple Silicon): VRAM is part of RAM, not added to it. */
  unifiedMemoryBytes: number;
  cpuMathCores: number;
}

/** How to load one model. Resolved by the pool: no "defaults" left here. */
export interface LoadSpec {
  path: string;
  /** Context tokens per sequence. */
  contextSize: number;
  /** "auto" = as many layers as fit; 0 = CPU only. */
  gpuLayers: number | "auto";
  /** Parallel sequences: requests served at once by this model. */
  parallel: number;
  threads: number;
}

/** What a finished load reports: the settings it ended up with and what it costs (measured). */
export interface LoadResult {
  contextSize: number;
  gpuLayers: number;
  parallel: number;
  loadMs: number;
  /** llama.cpp's own accounting of the buffers it allocated (weights + KV + compute), RAM and VRAM. */
  memoryBytes: number;
  vramBytes: number;
  /** Resident set of the process holding the model, after the load. */
  processRssBytes: number;
  trainContextSize: number;
  embeddingSize: number;
}

/** Sampling and stopping. Absent fields take Ollama-like defaults (engine/sampling-defaults.ts). */
export interface SamplingSpec {
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  repeatPenalty?: number;
  /** OpenAI's frequency penalty (llama.cpp's penalties sampler): 0 = off. */
  frequencyPenalty?: number;
  /** OpenAI's presence penalty: 0 = off. */
  presencePenalty?: number;
  seed?: number;
  /** 0 = until end of generation or the context is full. */
  maxTokens: number;
  stop: string[];
  /** A JSON schema (as text) the output must satisfy. */
  jsonSchema?: string;
  /** A GBNF grammar (llama.cpp's grammar format, rule `root`) the output must satisfy; wins over jsonSchema. */
  grammar?: string;
}

/** A function the model may call: its parameters are a JSON schema. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** A call the model made: arguments as JSON text (OpenAI's form; Ollama's objects are stringified). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * One turn of a conversation. An assistant turn may carry the tool calls it made; a "tool" turn carries one
 * call's result (matched to it by toolCallId, else by order), as the chat template renders them.
 */
export interface ChatTurn {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

/**
 * `tools`: the functions offered; the chat template renders them (a template without tool support is refused,
 * INF_NO_TOOLS). Detecting calls in the text and forcing one with a grammar live above the engine
 * (inference/tools/): the engine only renders the prompt and generates.
 */
export type GenerationInput = { kind: "completion"; prompt: string } | { kind: "chat"; messages: ChatTurn[]; tools?: ToolSpec[] };

export type FinishReason = "stop" | "length" | "stop_sequence" | "cancelled";

/** Measured by the engine for one generation. */
export interface GenerationResult {
  promptTokens: number;
  generatedTokens: number;
  /** From the start of the generation call to the first token (prompt evaluation). */
  firstTokenMs: number;
  /** Generated tokens over the time from the first to the last token. */
  tokensPerSecond: number;
  totalMs: number;
  finishReason: FinishReason;
  /** The runner's memory as the generation ended: the pool's sample after a request, without another round trip. */
  memory?: MemorySample;
}

export interface EmbedResult {
  vectors: Float32Array[];
  promptTokens: number;
}

/** Memory a loaded model holds now (llama.cpp buffers) and its process's resident set. */
export interface MemorySample {
  memoryBytes: number;
  vramBytes: number;
  processRssBytes: number;
}

/** Receives generated text as it comes; `tokens` is how many tokens the text stands for. */
export type PieceSink = (text: string, tokens: number) => void;

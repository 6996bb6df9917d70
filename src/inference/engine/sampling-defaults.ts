import type { SamplingSpec } from "./engine-types.js";

/** Ollama's defaults, which users of local models expect when they send no options. */
export const SAMPLING_DEFAULTS = {
  temperature: 0.8,
  topP: 0.9,
  topK: 40,
  minP: 0,
  repeatPenalty: 1.1,
  /** Tokens the repeat penalty looks back over (Ollama repeat_last_n). */
  repeatLastN: 64,
} as const;

/** Sampling with every default filled in (pure; the engine maps it to node-llama-cpp options). */
export function resolveSampling(s: SamplingSpec): Required<Omit<SamplingSpec, "seed" | "jsonSchema" | "grammar">> & Pick<SamplingSpec, "seed" | "jsonSchema" | "grammar"> {
  return {
    temperature: s.temperature ?? SAMPLING_DEFAULTS.temperature,
    topP: s.topP ?? SAMPLING_DEFAULTS.topP,
    topK: s.topK ?? SAMPLING_DEFAULTS.topK,
    minP: s.minP ?? SAMPLING_DEFAULTS.minP,
    repeatPenalty: s.repeatPenalty ?? SAMPLING_DEFAULTS.repeatPenalty,
    frequencyPenalty: s.frequencyPenalty ?? 0,
    presencePenalty: s.presencePenalty ?? 0,
    maxTokens: s.maxTokens,
    stop: s.stop,
    ...(s.seed === undefined ? {} : { seed: s.seed }),
    ...(s.jsonSchema === undefined ? {} : { jsonSchema: s.jsonSchema }),
    ...(s.grammar === undefined ? {} : { grammar: s.grammar }),
  };
}

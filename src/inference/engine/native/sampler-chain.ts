import { randomInt } from "node:crypto";
import { CortexError } from "../../../errors/cortex-error.js";
import type { LlamaApi, Ptr } from "./llama-api.js";

/** Sampling for one generation, defaults already resolved (engine/sampling-defaults.ts). */
export interface ChainSpec {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repeatPenalty: number;
  repeatLastN: number;
  frequencyPenalty: number;
  presencePenalty: number;
  seed?: number;
  /** GBNF text with a `root` rule. */
  grammar?: string;
}

/**
 * llama.cpp's sampler chain for one generation, in common_sampler's order: grammar (constrains), penalties, then
 * greedy for temperature 0, else top-k → top-p → min-p → temperature → a seeded draw. `llama_sampler_sample`
 * applies the chain to a batch row and accepts the token (grammar and penalty state advance).
 */
export function buildSamplerChain(api: LlamaApi, vocab: Ptr, s: ChainSpec): Ptr {
  const f = api.fn;
  const chain = f.chainInit(f.chainDefaultParams()) as Ptr;
  try {
    if (s.grammar !== undefined) {
      const g = f.initGrammar(vocab, s.grammar, "root") as Ptr | null;
      if (!g) throw new CortexError("REQ_INVALID_ARGUMENT", "sampling.grammar is not a valid GBNF grammar with a root rule (llama.cpp rejected it)");
      f.chainAdd(chain, g);
    }
    if (s.repeatPenalty !== 1 || s.frequencyPenalty !== 0 || s.presencePenalty !== 0) {
      f.chainAdd(chain, f.initPenalties(s.repeatLastN, s.repeatPenalty, s.frequencyPenalty, s.presencePenalty));
    }
    if (s.temperature <= 0) {
      f.chainAdd(chain, f.initGreedy());
      return chain;
    }
    if (s.topK > 0) f.chainAdd(chain, f.initTopK(s.topK));
    if (s.topP < 1) f.chainAdd(chain, f.initTopP(s.topP, 1));
    if (s.minP > 0) f.chainAdd(chain, f.initMinP(s.minP, 1));
    f.chainAdd(chain, f.initTemp(s.temperature));
    f.chainAdd(chain, f.initDist(s.seed === undefined ? randomInt(0, 2 ** 32 - 1) : s.seed >>> 0));
    return chain;
  } catch (err) {
    f.samplerFree(chain);
    throw err;
  }
}

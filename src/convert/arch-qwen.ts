import { LLAMA_BLOCK_MAP, llamaFamilyShapes, mapLlamaFamilyName, type ArchConverter, type ArchSetup } from "./arch.js";
import { writeTextModelParams } from "./text-model-params.js";

/**
 * Qwen2ForCausalLM (Qwen2, Qwen2.5: q/k/v biases) → `qwen2`; Qwen3ForCausalLM (per-head q_norm / k_norm) →
 * `qwen3`. No q/k permutation: llama.cpp runs these with NEOX-style rope. Parameters are TextModel's.
 */
export function createQwenArch(s: ArchSetup, ggufArch: "qwen2" | "qwen3"): ArchConverter {
  const blockMap = ggufArch === "qwen3" ? { ...LLAMA_BLOCK_MAP, "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm" } : LLAMA_BLOCK_MAP;
  const prefix = s.hparams.architecture === "Qwen2Model" || s.hparams.architecture === "Qwen3Model" ? "model." : "";
  return {
    ggufArch,
    vocab: "qwen2",
    kv: (c) => writeTextModelParams(c),
    tensorName: (hf) => mapLlamaFamilyName(prefix + hf, blockMap, ggufArch),
    expectedShape: llamaFamilyShapes(s.params),
    transform: () => undefined,
    extraTensors: () => [],
  };
}

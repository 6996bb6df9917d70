import { numberToF16, f16ToNumber } from "../formats/half-float.js";
import { LLAMA_BLOCK_MAP, llamaFamilyShapes, mapLlamaFamilyName, type ArchConverter, type ArchSetup } from "./arch.js";
import { requireInt } from "./hf-config.js";

const GEMMA2_BLOCK_MAP = {
  ...LLAMA_BLOCK_MAP,
  post_attention_layernorm: "post_attention_norm",
  pre_feedforward_layernorm: "ffn_norm",
  post_feedforward_layernorm: "post_ffw_norm",
};

/**
 * GemmaForCausalLM → `gemma`, Gemma2ForCausalLM → `gemma2`: RMSNorm weights stored as w − 1 get +1 (in the
 * checkpoint's f16 when it is f16, as torch adds), lm_head is dropped (tied), SentencePiece vocabulary.
 */
export function createGemmaArch(s: ArchSetup, ggufArch: "gemma" | "gemma2"): ArchConverter {
  const p = s.params;
  const int = (k: string): number => requireInt(p, [k], s.configPath);
  return {
    ggufArch,
    vocab: ggufArch,
    kv(c) {
      const a = ggufArch;
      const kv = c.kv;
      kv.uint32(`${a}.context_length`, int("max_position_embeddings"));
      kv.uint32(`${a}.embedding_length`, int("hidden_size"));
      kv.uint32(`${a}.block_count`, s.blockCount);
      kv.uint32(`${a}.feed_forward_length`, int("intermediate_size"));
      kv.uint32(`${a}.attention.head_count`, int("num_attention_heads"));
      kv.uint32(`${a}.attention.head_count_kv`, "num_key_value_heads" in p ? int("num_key_value_heads") : int("num_attention_heads"));
      kv.float32(`${a}.attention.layer_norm_rms_epsilon`, p.rms_norm_eps as number);
      kv.uint32(`${a}.attention.key_length`, int("head_dim"));
      kv.uint32(`${a}.attention.value_length`, int("head_dim"));
      kv.uint32("general.file_type", c.ftype);
      if (a === "gemma2") {
        kv.float32("gemma2.attn_logit_softcapping", p.attn_logit_softcapping as number);
        kv.float32("gemma2.final_logit_softcapping", p.final_logit_softcapping as number);
        kv.uint32("gemma2.attention.sliding_window", int("sliding_window"));
      }
    },
    tensorName: (hf) => (hf === "lm_head.weight" ? null : mapLlamaFamilyName(hf, ggufArch === "gemma2" ? GEMMA2_BLOCK_MAP : LLAMA_BLOCK_MAP, ggufArch)),
    expectedShape: llamaFamilyShapes(p),
    transform(hf, _shape, dtype) {
      if (!hf.endsWith("norm.weight")) return undefined;
      return (data) => {
        for (let i = 0; i < data.length; i++) data[i] = dtype === "F16" ? f16ToNumber(numberToF16(data[i]! + 1)) : Math.fround(data[i]! + 1);
        return data;
      };
    },
    extraTensors: () => [],
  };
}

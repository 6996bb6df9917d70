import { CortexError } from "../errors/cortex-error.js";
import { llamaFamilyShapes, mapLlamaFamilyName, type ArchConverter, type ArchSetup, type GeneratedTensor } from "./arch.js";
import { findHparam, requireInt } from "./hf-config.js";

const PHI3_BLOCK_MAP = {
  input_layernorm: "attn_norm",
  post_attention_layernorm: "ffn_norm",
  "self_attn.qkv_proj": "attn_qkv",
  "self_attn.o_proj": "attn_output",
  "mlp.gate_up_proj": "ffn_up",
  "mlp.down_proj": "ffn_down",
};

/**
 * Phi3ForCausalLM → `phi3`: fused `qkv_proj` and `gate_up_proj` stay fused (llama.cpp's attn_qkv and a
 * 2·n_ff ffn_up), its own parameter list (rope dimension from partial_rotary_factor, sliding window 0 when
 * absent) and, for the 128k variants, long/short rope factor tensors plus the attention factor.
 */
export function createPhi3Arch(s: ArchSetup): ArchConverter {
  const p = s.params;
  const base = llamaFamilyShapes(p);
  const int = (keys: string[]): number => requireInt(p, keys, s.configPath);
  const ropeDims = (): number => {
    const rot = typeof s.rope.partial_rotary_factor === "number" ? s.rope.partial_rotary_factor : 1.0;
    return Math.floor(Math.floor(rot * int(["hidden_size", "n_embd"])) / int(["num_attention_heads", "n_head"]));
  };
  const origCtx = (): number => {
    const v = s.rope.original_max_position_embeddings;
    if (typeof v !== "number") throw new CortexError("FMT_INVALID", `${s.configPath}: Phi-3 needs original_max_position_embeddings`);
    return v;
  };
  return {
    ggufArch: "phi3",
    vocab: "phi3",
    kv(c) {
      const kv = c.kv;
      kv.uint32("phi3.context_length", int(["n_positions", "max_position_embeddings"]));
      kv.uint32("phi3.rope.scaling.original_context_length", origCtx());
      kv.uint32("phi3.embedding_length", int(["hidden_size", "n_embd"]));
      kv.uint32("phi3.feed_forward_length", int(["intermediate_size"]));
      kv.uint32("phi3.block_count", s.blockCount);
      kv.uint32("phi3.attention.head_count", int(["num_attention_heads", "n_head"]));
      kv.uint32("phi3.attention.head_count_kv", int(["num_key_value_heads", "n_head_kv"]));
      kv.float32("phi3.attention.layer_norm_rms_epsilon", findHparam(p, ["rms_norm_eps"]) as number);
      kv.uint32("phi3.rope.dimension_count", ropeDims());
      kv.float32("phi3.rope.freq_base", s.rope.rope_theta as number);
      kv.uint32("general.file_type", c.ftype);
      kv.uint32("phi3.attention.sliding_window", typeof p.sliding_window === "number" ? p.sliding_window : 0);
    },
    tensorName: (hf) => mapLlamaFamilyName(hf, PHI3_BLOCK_MAP, "phi3"),
    expectedShape(name) {
      if (/^blk\.\d+\.ffn_up\.weight$/.test(name)) {
        const up = base(name.replace("ffn_up", "ffn_gate"));
        return up ? [2 * up[0]!, up[1]!] : undefined;
      }
      return base(name);
    },
    transform: () => undefined,
    extraTensors(kv): GeneratedTensor[] {
      const long = s.rope.long_factor;
      const short = s.rope.short_factor;
      if (!Array.isArray(long) || long.length === 0) return [];
      const maxPos = int(["n_positions", "max_position_embeddings"]);
      const scale = maxPos / origCtx();
      const type = typeof s.rope.rope_type === "string" ? s.rope.rope_type.toLowerCase() : "";
      if (type === "") throw new CortexError("FMT_INVALID", `${s.configPath}: rope_scaling needs a type`);
      let attn: number;
      if (type === "su" || type === "longrope") attn = scale > 1 ? Math.sqrt(1 + Math.log(scale) / Math.log(origCtx())) : 1;
      else if (type === "yarn") attn = scale > 1 ? 0.1 * Math.log(scale) + 1 : 1;
      else throw new CortexError("CONV_FAILED", `${s.configPath}: rope scaling type "${type}" is not supported for Phi-3`);
      kv.float32("phi3.rope.scaling.attn_factor", attn);
      const dims = ropeDims();
      if (!Array.isArray(short) || long.length !== short.length || long.length !== dims / 2) {
        throw new CortexError("CONV_SHAPE_MISMATCH", `${s.configPath}: rope long/short factors must have ${dims / 2} entries, got ${long.length} and ${Array.isArray(short) ? short.length : "none"}`);
      }
      return [
        { name: "rope_factors_long.weight", shape: [long.length], data: Float32Array.from(long as number[]) },
        { name: "rope_factors_short.weight", shape: [short.length], data: Float32Array.from(short as number[]) },
      ];
    },
  };
}

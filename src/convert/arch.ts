import { CortexError } from "../errors/cortex-error.js";
import type { SafetensorsDtype } from "../formats/safetensors/safetensors-dtypes.js";
import type { HfHparams, JsonObject } from "./hf-config.js";
import type { GgufKvList } from "./gguf-kv-list.js";
import type { ParamsContext } from "./text-model-params.js";
import type { VocabFlavour } from "./tokenizer-to-gguf.js";

/** What an architecture module is built from. */
export interface ArchSetup {
  readonly dir: string;
  readonly configPath: string;
  readonly hparams: HfHparams;
  /** hparams.params (merged config). */
  readonly params: JsonObject;
  /** TextModel rope_parameters. */
  readonly rope: JsonObject;
  readonly blockCount: number;
}

/** A tensor the converter generates (rope_freqs…), written before the checkpoint's tensors. */
export interface GeneratedTensor {
  readonly name: string;
  /** numpy-order shape. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * One architecture's part of convert_hf_to_gguf (a `TextModel` subclass): its GGUF name, `set_gguf_parameters`,
 * tensor name map, tensor rewrites (`modify_tensors`), generated tensors and tokenizer flavour.
 */
export interface ArchConverter {
  /** GGUF `general.architecture` and key prefix. */
  readonly ggufArch: string;
  readonly vocab: VocabFlavour;
  /** `set_gguf_parameters`. */
  kv(c: ParamsContext): void;
  /** The GGUF name of a checkpoint tensor; null to leave it out. @throws CortexError CONV_FAILED when unmappable. */
  tensorName(hfName: string): string | null;
  /** The numpy-order shape config.json implies for a GGUF tensor, when it determines one. */
  expectedShape(ggufName: string): readonly number[] | undefined;
  /**
   * `modify_tensors` data rewrite (q/k permutation, norm offsets) for a checkpoint tensor, or undefined when
   * the tensor passes through. The returned function gets the whole tensor as f32 and may work in place.
   */
  transform(hfName: string, shape: readonly number[], srcDtype: SafetensorsDtype): ((data: Float32Array) => Float32Array) | undefined;
  /** `generate_extra_tensors` (may also add KVs, which then precede the general.* keys, as in Python). */
  extraTensors(kv: GgufKvList): GeneratedTensor[];
}

/** Block-level HF module names (after `model.layers.N.`) → GGUF tensor base names. */
export type BlockMap = Readonly<Record<string, string>>;

export const LLAMA_BLOCK_MAP: BlockMap = {
  input_layernorm: "attn_norm",
  post_attention_layernorm: "ffn_norm",
  "self_attn.q_proj": "attn_q",
  "self_attn.k_proj": "attn_k",
  "self_attn.v_proj": "attn_v",
  "self_attn.o_proj": "attn_output",
  "mlp.gate_proj": "ffn_gate",
  "mlp.up_proj": "ffn_up",
  "mlp.down_proj": "ffn_down",
};

const TOP_MAP: Readonly<Record<string, string>> = { "model.embed_tokens": "token_embd", "model.norm": "output_norm", lm_head: "output" };

/** Prefixes/fragments of vision and audio towers TextModel.filter_tensors drops. */
const MULTIMODAL_PREFIXES = ["mlp", "vit.", "vpm.", "siglip2.", "conformer.", "merger.", "resampler.", "sound_encoder.", "sound_projection.", "speech_embeddings."];
const MULTIMODAL_PARTS = ["visual.", "vision.", "audio.", "talker.", "vision_", "audio_", "token2wav.", "code2wav.", "projector.", "pre_mm_projector_norm", "image_newline", "view_seperator", "patch_embed", "patch_embedding", "patch_merger.", "patch_merge_mlp.", "model.connector."];

/**
 * The name mapping shared by the Llama-family converters: the filters of ModelBase / TextModel /
 * prepare_tensors (multimodal towers, `language_model.` prefix, unused attention biases and rotary caches),
 * then `model.embed_tokens` / `model.norm` / `lm_head` and `model.layers.N.<module>` through `blockMap`,
 * keeping the `.weight` / `.bias` suffix.
 */
export function mapLlamaFamilyName(hfNameIn: string, blockMap: BlockMap, arch: string): string | null {
  let name = hfNameIn;
  if (MULTIMODAL_PREFIXES.some((p) => name.startsWith(p)) || MULTIMODAL_PARTS.some((p) => name.includes(p))) return null;
  name = name.replaceAll("language_model.", "");
  if (name.endsWith(".attention.masked_bias") || name.endsWith(".attention.bias") || name.endsWith(".rotary_emb.inv_freq")) return null;
  const suffix = name.endsWith(".weight") ? ".weight" : name.endsWith(".bias") ? ".bias" : undefined;
  const base = suffix ? name.slice(0, -suffix.length) : name;
  const top = TOP_MAP[base];
  if (top !== undefined && suffix) return top + suffix;
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(base);
  const mapped = m ? blockMap[m[2]!] : undefined;
  if (m && mapped !== undefined && suffix) return `blk.${Number(m[1])}.${mapped}${suffix}`;
  throw new CortexError("CONV_FAILED", `cannot map tensor "${hfNameIn}" to a ${arch} GGUF tensor`);
}

/** Shapes config.json implies for Llama-family tensors (numpy order, [out, in]). */
export function llamaFamilyShapes(p: JsonObject): (ggufName: string) => readonly number[] | undefined {
  const n = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
  const H = n(p.hidden_size);
  const V = n(p.vocab_size);
  const F = n(p.intermediate_size);
  const nh = n(p.num_attention_heads);
  const nkv = n(p.num_key_value_heads) ?? nh;
  const hd = n(p.head_dim) ?? (H !== undefined && nh !== undefined ? Math.floor(H / nh) : undefined);
  const q = nh !== undefined && hd !== undefined ? nh * hd : undefined;
  const kv = nkv !== undefined && hd !== undefined ? nkv * hd : undefined;
  const all = (...xs: (number | undefined)[]): number[] | undefined => (xs.every((x) => x !== undefined) ? (xs as number[]) : undefined);
  return (name) => {
    const role = name.replace(/^blk\.\d+\./, "");
    switch (role) {
      case "token_embd.weight":
      case "output.weight":
        return all(V, H);
      case "output_norm.weight":
      case "attn_norm.weight":
      case "ffn_norm.weight":
      case "post_attention_norm.weight":
      case "post_ffw_norm.weight":
        return all(H);
      case "attn_q.weight":
        return all(q, H);
      case "attn_k.weight":
      case "attn_v.weight":
        return all(kv, H);
      case "attn_output.weight":
        return all(H, q);
      case "attn_q.bias":
        return all(q);
      case "attn_k.bias":
      case "attn_v.bias":
        return all(kv);
      case "attn_q_norm.weight":
      case "attn_k_norm.weight":
        return all(hd);
      case "attn_qkv.weight":
        return q !== undefined && kv !== undefined ? all(q + 2 * kv, H) : undefined;
      case "ffn_gate.weight":
      case "ffn_up.weight":
        return all(F, H);
      case "ffn_down.weight":
        return all(H, F);
      default:
        return undefined;
    }
  };
}

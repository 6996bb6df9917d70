import { GGML_TYPE as G, LLAMA_FTYPE as F, ggmlBlockInfo } from "../formats/gguf/ggml-types.js";

/**
 * llama-quantize's per-tensor type choice (`llama_tensor_get_type` in src/llama-quant.cpp of the llama.cpp
 * bundled with node-llama-cpp, commit de3ff81), as a pure function. llama-quantize keeps counters over the
 * tensors in `weight_name_comparer` order (non-`blk.` names first, then by layer number); for a model with one
 * attn_v / ffn_down / ffn_gate / ffn_up per layer each counter equals the layer index, so this takes the
 * layer index instead. No imatrix, no `--tensor-type` patterns.
 */

/** Model facts the rules look at besides the tensor. */
export interface QuantMixModel {
  /** GGUF architecture (`falcon` and `bailingmoe3` have their own rules). */
  readonly arch: string;
  /** `n_head / n_head_kv` of layer 0 (1 without GQA). */
  readonly nGqa: number;
  /** Expert count (0 or 1 for dense models). */
  readonly nExpert: number;
  /** llama.cpp classifies the model as 70B (llama: 80 layers with GQA; qwen2: 80 layers). */
  readonly is70B: boolean;
  /** The file has `output.weight`; without it the token embedding is tied and follows the output rules. */
  readonly hasOutput: boolean;
  /** attn_v-like tensors in the file (attn_v, attn_qkv, attn_kv_b); defaults to the layer count. */
  readonly nAttentionV?: number;
}

/** llama-quantize options that change the choice. */
export interface QuantMixOptions {
  /** `--pure`: no mixture rules (shape fallbacks still apply). */
  readonly pure?: boolean;
  /** `--leave-output-tensor`. */
  readonly leaveOutputTensor?: boolean;
  /** `--output-tensor-type`. */
  readonly outputTensorType?: number;
  /** `--token-embedding-type`. */
  readonly tokenEmbeddingType?: number;
}

/** `llama_ftype_get_default_type`; undefined for ftypes llama-quantize rejects. */
export function ftypeDefaultType(ftype: number): number | undefined {
  const table: Record<number, number> = {
    [F.MOSTLY_Q4_0]: G.Q4_0, [F.MOSTLY_Q4_1]: G.Q4_1, [F.MOSTLY_Q5_0]: G.Q5_0, [F.MOSTLY_Q5_1]: G.Q5_1,
    [F.MOSTLY_Q8_0]: G.Q8_0, [F.MOSTLY_F16]: G.F16, [F.MOSTLY_BF16]: G.BF16, [F.ALL_F32]: G.F32,
    [F.MOSTLY_Q1_0]: G.Q1_0, [F.MOSTLY_Q2_0]: G.Q2_0, [F.MOSTLY_MXFP4_MOE]: G.MXFP4,
    [F.MOSTLY_Q2_K_S]: G.Q2_K, [F.MOSTLY_Q2_K]: G.Q2_K, [F.MOSTLY_IQ3_XS]: G.IQ3_S,
    [F.MOSTLY_Q3_K_S]: G.Q3_K, [F.MOSTLY_Q3_K_M]: G.Q3_K, [F.MOSTLY_Q3_K_L]: G.Q3_K,
    [F.MOSTLY_Q4_K_S]: G.Q4_K, [F.MOSTLY_Q4_K_M]: G.Q4_K, [F.MOSTLY_Q5_K_S]: G.Q5_K, [F.MOSTLY_Q5_K_M]: G.Q5_K,
    [F.MOSTLY_Q6_K]: G.Q6_K, [F.MOSTLY_TQ1_0]: G.TQ1_0, [F.MOSTLY_TQ2_0]: G.TQ2_0,
    [F.MOSTLY_IQ2_XXS]: G.IQ2_XXS, [F.MOSTLY_IQ2_XS]: G.IQ2_XS, [F.MOSTLY_IQ2_S]: G.IQ2_XS, [F.MOSTLY_IQ2_M]: G.IQ2_S,
    [F.MOSTLY_IQ3_XXS]: G.IQ3_XXS, [F.MOSTLY_IQ1_S]: G.IQ1_S, [F.MOSTLY_IQ1_M]: G.IQ1_M,
    [F.MOSTLY_IQ4_NL]: G.IQ4_NL, [F.MOSTLY_IQ4_XS]: G.IQ4_XS, [F.MOSTLY_IQ3_S]: G.IQ3_S, [F.MOSTLY_IQ3_M]: G.IQ3_S,
  };
  return table[ftype];
}

const QUANTIZED_PLAIN = new Set<number>([G.F32, G.F16, G.BF16, G.I8, G.I16, G.I32, G.I64, G.F64]);
const isQuantized = (t: number): boolean => !QUANTIZED_PLAIN.has(t);

/** `ggml_n_dims`: 1 + index of the last dimension above 1. */
function nDims(ne: readonly number[]): number {
  for (let i = ne.length - 1; i >= 1; i--) if (ne[i]! > 1) return i + 1;
  return 1;
}

/** `tensor_allows_quantization` (the parts that apply to text models). */
export function tensorAllowsQuantization(name: string, ne: readonly number[], options: QuantMixOptions = {}): boolean {
  if (nDims(ne) < 2) return false;
  if (!name.endsWith("weight")) return false;
  if (name.includes("_norm.weight")) return false;
  if (options.leaveOutputTensor && name === "output.weight") return false;
  const never = [
    "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
    "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight",
    "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight",
    "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
    "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
    "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd",
    ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
  ];
  if (never.some((s) => name.includes(s))) return false;
  return name !== "position_embd.weight" && name !== "token_types.weight";
}

type Category = "output" | "token_embd" | "attn_qkv" | "attn_kv_b" | "attn_v" | "attn_k" | "attn_q" | "attn_output" | "ffn_up" | "ffn_gate" | "ffn_down" | "other";

/** `tensor_get_category`. */
export function tensorCategory(name: string): Category {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "token_embd";
  for (const [needle, cat] of [
    ["attn_qkv.weight", "attn_qkv"], ["attn_kv_b.weight", "attn_kv_b"], ["attn_v.weight", "attn_v"], ["attn_k.weight", "attn_k"],
    ["attn_q.weight", "attn_q"], ["attn_output.weight", "attn_output"], ["ffn_up", "ffn_up"], ["ffn_gate", "ffn_gate"], ["ffn_down", "ffn_down"],
  ] as const) {
    if (name.includes(needle)) return cat;
  }
  return "other";
}

const useMoreBits = (i: number, n: number): boolean => i < Math.trunc(n / 8) || i >= Math.trunc((7 * n) / 8) || (i - Math.trunc(n / 8)) % 3 === 2;

/** `tensor_type_fallback`: a type whose block divides ncols (K-quants → legacy, IQ → IQ4_NL, else F16). */
export function tensorTypeFallback(ncols: number, target: number): number {
  const block = ggmlBlockInfo(target)[0];
  if (ncols % block === 0) return target;
  let t: number;
  switch (target) {
    case G.IQ1_S: case G.IQ1_M: case G.IQ2_XXS: case G.IQ2_XS: case G.IQ2_S: case G.IQ3_XXS: case G.IQ3_S: case G.IQ4_XS:
      t = G.IQ4_NL;
      break;
    case G.Q2_0: case G.Q2_K: case G.Q3_K: case G.TQ1_0: case G.TQ2_0:
      t = G.Q4_0;
      break;
    case G.Q4_K:
      t = G.Q5_0;
      break;
    case G.Q5_K:
      t = G.Q5_1;
      break;
    case G.Q6_K:
      t = G.Q8_0;
      break;
    default:
      if (block > 32) throw new Error(`no tensor type fallback is defined for ggml type ${target}`);
      t = target;
  }
  return ncols % ggmlBlockInfo(t)[0] !== 0 ? G.F16 : t;
}

const inSet = (ftype: number, ...list: number[]): boolean => list.includes(ftype);

/**
 * The ggml type llama-quantize gives tensor `name` (ggml dims `ne`, ne[0] = row length) of layer `layer`
 * (-1 for non-`blk.` tensors) of an `nLayers`-layer model for file type `ftype`, when the tensor is stored as
 * `currentType` in the input. Tensors llama-quantize does not quantize keep `currentType`.
 */
export function quantMixTensorType(name: string, layer: number, nLayers: number, ftype: number, ne: readonly number[], currentType: number, model: QuantMixModel, options: QuantMixOptions = {}): number {
  const def = ftypeDefaultType(ftype);
  if (def === undefined) throw new Error(`invalid output file type ${ftype}`);
  if (!tensorAllowsQuantization(name, ne, options)) return currentType;
  const cat = tensorCategory(name);
  if (options.tokenEmbeddingType !== undefined && cat === "token_embd") return options.tokenEmbeddingType;
  if (options.outputTensorType !== undefined && cat === "output") return options.outputTensorType;
  let t = def;
  if (!isQuantized(def)) return t;
  if (!options.pure) t = mixtureType(name, cat, layer, nLayers, ftype, ne, t, model, options);
  return tensorTypeFallback(ne[0] ?? 1, t);
}

function mixtureType(name: string, cat: Category, layer: number, nLayers: number, ftype: number, ne: readonly number[], start: number, m: QuantMixModel, o: QuantMixOptions): number {
  let t = start;
  const falcon = m.arch === "falcon";
  const nExpert = Math.max(1, m.nExpert);
  const nAttnV = m.nAttentionV ?? nLayers;
  const iLayer = layer;
  if (nExpert > 1 && (cat === "ffn_down" || cat === "ffn_gate" || cat === "ffn_up") && (layer < 0 || layer >= nLayers)) {
    throw new Error(`Bad layer ${layer} for tensor ${name}. Must be in [0, ${nLayers})`);
  }
  // category_is_attn_v: attn_qkv takes the attn_v rules, so the C source's later ATTENTION_QKV branch
  // (Q4_K_M → Q5_K, Q5_K_M → Q6_K) is never reached in this llama.cpp version.
  const attnVLike = cat === "attn_v" || cat === "attn_qkv" || cat === "attn_kv_b";
  const tied = !m.hasOutput;
  if (cat === "output" || (tied && cat === "token_embd")) {
    const block = ggmlBlockInfo(t)[0];
    if (o.outputTensorType !== undefined) t = o.outputTensorType;
    else if (ftype === F.MOSTLY_MXFP4_MOE) t = G.Q8_0;
    else if (falcon || (ne[0] ?? 1) % block !== 0) t = G.Q8_0;
    else if (inSet(ftype, F.MOSTLY_IQ2_XXS, F.MOSTLY_IQ2_XS, F.MOSTLY_IQ3_XXS, F.MOSTLY_IQ1_S, F.MOSTLY_IQ2_S, F.MOSTLY_IQ2_M, F.MOSTLY_IQ1_M)) t = G.Q5_K;
    else if (t !== G.Q8_0) t = G.Q6_K;
  } else if (ftype === F.MOSTLY_MXFP4_MOE) {
    const bailingExpert = m.arch === "bailingmoe3" && (cat === "ffn_up" || cat === "ffn_gate" || cat === "ffn_down");
    t = (ne[2] ?? 1) > 1 && (m.arch !== "bailingmoe3" || bailingExpert) ? G.MXFP4 : G.Q8_0;
  } else if (cat === "token_embd") {
    if (o.tokenEmbeddingType !== undefined) t = o.tokenEmbeddingType;
    else if (inSet(ftype, F.MOSTLY_IQ2_XXS, F.MOSTLY_IQ2_XS, F.MOSTLY_IQ1_S, F.MOSTLY_IQ1_M)) t = G.Q2_K;
    else if (inSet(ftype, F.MOSTLY_IQ2_S, F.MOSTLY_IQ2_M, F.MOSTLY_IQ3_XXS)) t = G.IQ3_S;
    else if (inSet(ftype, F.MOSTLY_TQ1_0, F.MOSTLY_TQ2_0, F.MOSTLY_Q2_0)) t = G.Q4_K;
  } else if (inSet(ftype, F.MOSTLY_IQ2_XXS, F.MOSTLY_IQ2_XS, F.MOSTLY_IQ1_S, F.MOSTLY_IQ2_S, F.MOSTLY_IQ2_M, F.MOSTLY_IQ1_M)) {
    const iq2sm = inSet(ftype, F.MOSTLY_IQ2_S, F.MOSTLY_IQ2_M);
    if (attnVLike) t = m.nGqa >= 4 || m.nExpert >= 4 ? G.Q4_K : iq2sm ? G.IQ3_S : G.Q2_K;
    else if (m.nExpert === 8 && cat === "attn_k") t = G.Q4_K;
    else if (cat === "ffn_down") {
      if (iLayer < Math.trunc(nLayers / 8)) t = iq2sm ? G.IQ3_S : G.Q2_K;
    } else if (cat === "attn_output") {
      if (m.nExpert === 8) t = G.Q5_K;
      else if (inSet(ftype, F.MOSTLY_IQ1_S, F.MOSTLY_IQ1_M)) t = G.IQ2_XXS;
      else if (iq2sm) t = G.IQ3_S;
    }
  } else if (attnVLike) {
    const i = layer;
    if (ftype === F.MOSTLY_Q2_K) t = m.nGqa >= 4 ? G.Q4_K : G.Q3_K;
    else if (ftype === F.MOSTLY_Q2_K_S && m.nGqa >= 4) t = G.Q4_K;
    else if (ftype === F.MOSTLY_IQ3_XXS) t = m.nGqa >= 4 ? G.Q4_K : G.IQ3_S;
    else if (inSet(ftype, F.MOSTLY_IQ3_XS, F.MOSTLY_IQ3_S) && m.nGqa >= 4) t = G.Q4_K;
    else if (ftype === F.MOSTLY_IQ3_M) t = G.Q4_K;
    else if (ftype === F.MOSTLY_Q3_K_M) t = i < 2 ? G.Q5_K : G.Q4_K;
    else if (ftype === F.MOSTLY_Q3_K_L) t = G.Q5_K;
    else if (inSet(ftype, F.MOSTLY_IQ4_NL, F.MOSTLY_IQ4_XS) && m.nGqa >= 4) t = G.Q5_K;
    else if (inSet(ftype, F.MOSTLY_Q4_K_M, F.MOSTLY_Q5_K_M) && useMoreBits(i, nAttnV)) t = G.Q6_K;
    else if (ftype === F.MOSTLY_Q4_K_S && i < 4) t = G.Q5_K;
    if (m.is70B && (t === G.Q3_K || t === G.Q4_K)) t = G.Q5_K;
    if (m.nExpert === 8) t = G.Q8_0;
  } else if (cat === "attn_k") {
    if (m.nExpert === 8) t = G.Q8_0;
    else if (ftype === F.MOSTLY_IQ3_XS) t = G.IQ3_XXS;
    else if (ftype === F.MOSTLY_IQ3_XXS) t = G.IQ2_S;
  } else if (cat === "attn_q") {
    if (ftype === F.MOSTLY_IQ3_XS) t = G.IQ3_XXS;
    else if (ftype === F.MOSTLY_IQ3_XXS) t = G.IQ2_S;
  } else if (cat === "ffn_down") {
    const n = nLayers;
    if (ftype === F.MOSTLY_Q2_K) t = G.Q3_K;
    else if (ftype === F.MOSTLY_Q2_K_S) {
      if (iLayer < Math.trunc(n / 8)) t = G.Q4_K;
    } else if (ftype === F.MOSTLY_IQ3_XXS) t = iLayer < Math.trunc(n / 8) ? G.Q4_K : G.Q3_K;
    else if (ftype === F.MOSTLY_Q3_K_M) t = iLayer < Math.trunc(n / 16) ? G.Q5_K : !falcon || useMoreBits(iLayer, n) ? G.Q4_K : G.Q3_K;
    else if (ftype === F.MOSTLY_IQ3_M && (iLayer < Math.trunc(n / 8) || (m.nExpert === 8 && useMoreBits(iLayer, n)))) t = G.Q4_K;
    else if (ftype === F.MOSTLY_Q3_K_L) t = falcon ? G.Q4_K : G.Q5_K;
    else if (ftype === F.MOSTLY_Q4_K_M) {
      if (falcon) t = iLayer < Math.trunc(n / 16) ? G.Q6_K : useMoreBits(iLayer, n) ? G.Q5_K : G.Q4_K;
      else if (useMoreBits(iLayer, n)) t = G.Q6_K;
    } else if (iLayer < Math.trunc(n / 8) && inSet(ftype, F.MOSTLY_IQ4_NL, F.MOSTLY_IQ4_XS)) t = G.Q5_K;
    else if (ftype === F.MOSTLY_Q5_K_M && useMoreBits(iLayer, n)) t = G.Q6_K;
    else if (ftype === F.MOSTLY_Q4_K_S && !falcon && iLayer < Math.trunc(n / 8)) t = G.Q5_K;
  } else if (cat === "attn_output") {
    if (!falcon) {
      if (m.nExpert === 8) {
        if (inSet(ftype, F.MOSTLY_Q2_K, F.MOSTLY_IQ3_XS, F.MOSTLY_IQ3_XXS, F.MOSTLY_Q3_K_S, F.MOSTLY_Q3_K_M, F.MOSTLY_IQ4_NL, F.MOSTLY_Q4_K_S, F.MOSTLY_Q4_K_M, F.MOSTLY_IQ3_S, F.MOSTLY_IQ3_M, F.MOSTLY_IQ4_XS)) t = G.Q5_K;
      } else if (ftype === F.MOSTLY_Q2_K) t = G.Q3_K;
      else if (ftype === F.MOSTLY_IQ3_XXS) t = G.IQ3_S;
      else if (ftype === F.MOSTLY_Q3_K_M) t = G.Q4_K;
      else if (ftype === F.MOSTLY_Q3_K_L) t = G.Q5_K;
      else if (ftype === F.MOSTLY_IQ3_M) t = G.Q4_K;
    } else if (ftype === F.MOSTLY_Q3_K_L) t = G.Q4_K;
  } else if (cat === "ffn_gate" || cat === "ffn_up") {
    if (ftype === F.MOSTLY_IQ3_XS && iLayer >= Math.trunc(nLayers / 8) && iLayer < Math.trunc((7 * nLayers) / 8)) t = G.IQ3_XXS;
  }
  return t;
}

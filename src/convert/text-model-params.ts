import { findHparam, isObject, optNumber, type JsonObject } from "./hf-config.js";
import type { GgufKvList } from "./gguf-kv-list.js";

/**
 * `TextModel.__init__`'s rope_parameters: `rope_parameters` or `rope_scaling` (or {}), with the global rope
 * theta, local theta, partial rotary factor and original context mirrored in when the config keeps them at
 * the root.
 */
export function ropeParameters(params: JsonObject): JsonObject {
  const src = params.rope_parameters !== undefined ? params.rope_parameters : params.rope_scaling;
  const rp: JsonObject = isObject(src) ? { ...src } : {};
  const ropeTheta = findHparam(params, ["global_rope_theta", "rope_global_theta", "rope_theta_global", "rope_theta", "rotary_emb_base"]);
  const localTheta = findHparam(params, ["local_rope_theta", "rope_local_theta", "rope_theta_local", "swa_rope_theta", "rope_local_base_freq"]);
  const partial = findHparam(params, ["partial_rotary_factor", "rope_pct", "rope_percent"]);
  const origCtx = findHparam(params, ["original_max_position_embeddings"]);
  if (!("full_attention" in rp) && !("sliding_attention" in rp)) {
    if (localTheta !== undefined && localTheta !== null) rp.sliding_attention = { rope_theta: localTheta };
    if (!("rope_theta" in rp) && ropeTheta !== undefined && ropeTheta !== null) rp.rope_theta = ropeTheta;
    if (!("rope_type" in rp) && rp.type !== undefined && rp.type !== null) rp.rope_type = rp.type;
    if (!("partial_rotary_factor" in rp) && partial !== undefined && partial !== null) rp.partial_rotary_factor = partial;
    if (!("original_max_position_embeddings" in rp) && origCtx !== undefined && origCtx !== null) rp.original_max_position_embeddings = origCtx;
  }
  return rp;
}

/** The rope parameters of full attention layers (`rope_parameters.get("full_attention", rope_parameters)`). */
export function fullAttentionRope(rp: JsonObject): JsonObject {
  return isObject(rp.full_attention) ? rp.full_attention : rp;
}

/** Inputs shared by the architecture-specific parameter writers. */
export interface ParamsContext {
  readonly params: JsonObject;
  readonly rope: JsonObject;
  readonly kv: GgufKvList;
  /** GGUF architecture name (`llama`, `qwen2`…): the key prefix. */
  readonly arch: string;
  readonly blockCount: number;
  /** `general.file_type`. */
  readonly ftype: number;
  /** Warnings (unknown rope type…). */
  readonly warn: (message: string) => void;
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/**
 * `TextModel.set_gguf_parameters`: block count, context, embedding and feed-forward lengths, head counts,
 * rope scaling and base, norm epsilons, expert counts, key/value length (only when `head_dim` is set) and
 * the file type, in that order and only for keys the config has.
 */
export function writeTextModelParams(c: ParamsContext): void {
  const { params: p, kv, arch: a } = c;
  kv.uint32(`${a}.block_count`, c.blockCount);
  const nCtx = optNumber(p, ["max_position_embeddings", "n_ctx", "n_positions", "max_length", "max_sequence_length", "model_max_length"]);
  if (nCtx !== undefined) kv.uint32(`${a}.context_length`, nCtx);
  const nEmbd = optNumber(p, ["hidden_size", "n_embd", "dim"]);
  if (nEmbd !== undefined) kv.uint32(`${a}.embedding_length`, nEmbd);
  const nFf = optNumber(p, ["prefix_dense_intermediate_size", "dense_intermediate_size", "intermediate_size", "n_inner", "hidden_dim"]);
  if (nFf !== undefined) kv.uint32(`${a}.feed_forward_length`, nFf);
  const nHead = optNumber(p, ["num_attention_heads", "n_head", "n_heads"]);
  if (nHead !== undefined) kv.uint32(`${a}.attention.head_count`, nHead);
  const nHeadKv = optNumber(p, ["num_key_value_heads", "n_kv_heads"]);
  if (nHeadKv !== undefined) kv.uint32(`${a}.attention.head_count_kv`, nHeadKv);
  if (p.is_causal === false) kv.bool(`${a}.attention.causal`, false);

  const rp = fullAttentionRope(c.rope);
  const ropeType = rp.rope_type;
  if (typeof ropeType === "string") {
    const factor = num(rp.factor);
    if (ropeType === "linear" && factor !== undefined) {
      kv.string(`${a}.rope.scaling.type`, "linear").float32(`${a}.rope.scaling.factor`, factor);
    } else if (ropeType === "yarn" && factor !== undefined) {
      kv.string(`${a}.rope.scaling.type`, "yarn").float32(`${a}.rope.scaling.factor`, factor);
      kv.uint32(`${a}.rope.scaling.original_context_length`, num(rp.original_max_position_embeddings) ?? 0);
      const ext = num(rp.extrapolation_factor);
      if (ext !== undefined) kv.float32(`${a}.rope.scaling.yarn_ext_factor`, ext);
      const attn = num(rp.attention_factor !== undefined ? rp.attention_factor : rp.attn_factor);
      if (attn !== undefined) kv.float32(`${a}.rope.scaling.yarn_attn_factor`, attn);
      const fast = num(rp.beta_fast);
      if (fast !== undefined) kv.float32(`${a}.rope.scaling.yarn_beta_fast`, fast);
      const slow = num(rp.beta_slow);
      if (slow !== undefined) kv.float32(`${a}.rope.scaling.yarn_beta_slow`, slow);
    } else if (ropeType === "su" || ropeType === "longrope") {
      kv.string(`${a}.rope.scaling.type`, "longrope");
    } else if (ropeType !== "dynamic" && ropeType.toLowerCase() !== "llama3") {
      c.warn(`unknown RoPE type "${ropeType}"`);
    }
  }
  if (Array.isArray(c.rope.mrope_section)) {
    const sections = c.rope.mrope_section.map(Number);
    while (sections.length < 4) sections.push(0);
    kv.int32Array(`${a}.rope.dimension_sections`, sections.slice(0, 4));
  }
  const theta = num(rp.rope_theta);
  if (theta !== undefined) kv.float32(`${a}.rope.freq_base`, theta);
  const swa = isObject(c.rope.sliding_attention) ? num(c.rope.sliding_attention.rope_theta) : undefined;
  if (swa !== undefined) kv.float32(`${a}.rope.freq_base_swa`, swa);
  const rmsEps = optNumber(p, ["rms_norm_eps", "norm_eps"]);
  if (rmsEps !== undefined) kv.float32(`${a}.attention.layer_norm_rms_epsilon`, rmsEps);
  const normEps = optNumber(p, ["layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"]);
  if (normEps !== undefined) kv.float32(`${a}.attention.layer_norm_epsilon`, normEps);
  const nExperts = optNumber(p, ["num_local_experts", "num_experts", "n_routed_experts"]);
  if (nExperts !== undefined) kv.uint32(`${a}.expert_count`, nExperts);
  const nUsed = optNumber(p, ["num_experts_per_tok", "num_experts_per_token", "top_k_experts"]);
  if (nUsed !== undefined) kv.uint32(`${a}.expert_used_count`, nUsed);
  const headDim = num(p.head_dim);
  if (headDim !== undefined) kv.uint32(`${a}.attention.key_length`, headDim).uint32(`${a}.attention.value_length`, headDim);
  kv.uint32("general.file_type", c.ftype);
}

import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE as G, LLAMA_FTYPE as F, llamaFtypeLabel, parseLlamaFtype, tensorByteSize } from "../formats/gguf/ggml-types.js";
import type { CheckpointTensor, SafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import type { ArchConverter, GeneratedTensor } from "./arch.js";
import { ftypeDefaultType, quantMixTensorType, type QuantMixOptions } from "./quant-mix-rules.js";

/** How the output is produced. */
export type ConvertMode =
  /** convert_hf_to_gguf.py `--outtype f32|f16|bf16|q8_0|auto`. */
  | { readonly kind: "convert"; readonly ftype: number }
  /** convert to `intermediateFtype`, then llama-quantize to `ftype`, in one pass. */
  | { readonly kind: "quantize"; readonly ftype: number; readonly intermediateFtype: number };

/** One output tensor. */
export interface PlannedTensor {
  readonly name: string;
  /** numpy order. */
  readonly shape: readonly number[];
  /** ggml order (reversed shape). */
  readonly dims: readonly number[];
  readonly type: number;
  readonly byteSize: number;
  /** One-pass quantization: values are first rounded to this type, as the intermediate file stored them. */
  readonly roundVia?: number;
  /** The architecture's rewrite of the whole tensor's f32 data. */
  readonly transform?: (data: Float32Array) => Float32Array;
  readonly source: { readonly hfName: string; readonly tensor: CheckpointTensor } | { readonly generated: GeneratedTensor };
}

const CONVERT_OUTTYPES: Record<string, number | "auto"> = { f32: F.ALL_F32, f16: F.MOSTLY_F16, bf16: F.MOSTLY_BF16, q8_0: F.MOSTLY_Q8_0, auto: "auto" };

/**
 * Resolve `outtype`: convert_hf_to_gguf's f32 / f16 / bf16 / q8_0 / auto (case-insensitive), else a
 * llama-quantize file type ("Q4_K_M", "Q5_0"…) converted in one pass through the `intermediate` outtype.
 * @throws CortexError QUANT_UNSUPPORTED_TYPE for unknown names and types llama-quantize cannot produce.
 */
export function resolveMode(outtype: string, checkpoint: SafetensorsCheckpoint, intermediate = "auto"): ConvertMode {
  const lower = outtype.toLowerCase();
  const conv = CONVERT_OUTTYPES[lower];
  if (conv !== undefined) return { kind: "convert", ftype: conv === "auto" ? guessFtype(checkpoint) : conv };
  const ftype = parseLlamaFtype(outtype);
  if (ftype === undefined || ftypeDefaultType(ftype) === undefined || lower.startsWith("tq")) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `outtype "${outtype}" is not supported; use f32, f16, bf16, q8_0, auto or a llama-quantize type such as Q4_K_M`);
  }
  const mid = CONVERT_OUTTYPES[intermediate.toLowerCase()];
  if (mid === undefined || mid === F.MOSTLY_Q8_0) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `intermediate type "${intermediate}" must be f32, f16, bf16 or auto`);
  return { kind: "quantize", ftype, intermediateFtype: mid === "auto" ? guessFtype(checkpoint) : mid };
}

/** `--outtype auto`: the first ≥2-D tensor stored as bf16 or f16 decides; otherwise f16. */
export function guessFtype(checkpoint: SafetensorsCheckpoint): number {
  for (const { info } of checkpoint.tensors.values()) {
    if (info.shape.length < 2) continue;
    if (info.dtype === "BF16") return F.MOSTLY_BF16;
    if (info.dtype === "F16") return F.MOSTLY_F16;
  }
  return F.MOSTLY_F16;
}

const ALWAYS_F32 = /(?:^|\.)(?:ffn_gate_inp|ffn_gate_inp_shexp|position_embd|token_types|ssm_conv1d|shortconv\.conv|time_mix_first|time_mix_w1|time_mix_w2|time_mix_decay_w1|time_mix_decay_w2|time_mix_lerp_fused|posnet\.\d+\.norm1|posnet\.\d+\.norm2)\.weight$/;

/**
 * convert_hf_to_gguf's per-tensor type (`prepare_tensors`): 1-D tensors, `*_norm.weight`, non-`.weight`
 * tensors and a few small special tensors stay F32; the rest take the outtype; Q8_0 rows that are not a
 * multiple of 32 fall back to F16 (QuantError).
 */
export function convertTensorType(name: string, shape: readonly number[], ftype: number): number {
  if (shape.length <= 1 || name.endsWith("_norm.weight")) return G.F32;
  const tail = name.slice(-7);
  if (ALWAYS_F32.test(name) || (tail !== ".weight" && tail !== ".lora_a" && tail !== ".lora_b")) return G.F32;
  switch (ftype) {
    case F.ALL_F32:
      return G.F32;
    case F.MOSTLY_F16:
      return G.F16;
    case F.MOSTLY_BF16:
      return G.BF16;
    case F.MOSTLY_Q8_0:
      return shape[shape.length - 1]! % 32 === 0 ? G.Q8_0 : G.F16;
    default:
      throw new CortexError("QUANT_UNSUPPORTED_TYPE", `convert outtype ${llamaFtypeLabel(ftype) ?? ftype} is not supported`);
  }
}

/** `weight_name_comparer`: non-`blk.` tensors first, then by layer number, then byte-wise by name. */
export function weightNameCompare(a: string, b: string): number {
  const la = /^blk\.(\d+)\./.exec(a);
  const lb = /^blk\.(\d+)\./.exec(b);
  const ia = la ? Number(la[1]) : -1;
  const ib = lb ? Number(lb[1]) : -1;
  if (ia !== ib) return ia - ib;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const nameLayer = (name: string): number => {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
};

export interface PlanInput {
  readonly checkpoint: SafetensorsCheckpoint;
  readonly arch: ArchConverter;
  readonly generated: readonly GeneratedTensor[];
  readonly mode: ConvertMode;
  readonly configPath: string;
  readonly blockCount: number;
  /** n_head / n_head_kv (quantization rules). */
  readonly nGqa: number;
  readonly nExpert: number;
  readonly quantOptions?: QuantMixOptions;
}

/**
 * Every output tensor with its name, shape and type, before any data is read: generated tensors first, then
 * the checkpoint's (sorted shards, header order); in one-pass mode re-sorted as llama-quantize writes them.
 * @throws CortexError CONV_SHAPE_MISMATCH naming the tensor and both shapes; CONV_FAILED for unmappable or
 * non-float tensors.
 */
export function planConversion(p: PlanInput): PlannedTensor[] {
  const convFtype = p.mode.kind === "convert" ? p.mode.ftype : p.mode.intermediateFtype;
  const out: PlannedTensor[] = [];
  const seen = new Set<string>();
  const add = (name: string, shape: readonly number[], source: PlannedTensor["source"], transform?: (d: Float32Array) => Float32Array): void => {
    if (seen.has(name)) throw new CortexError("CONV_FAILED", `two checkpoint tensors map to GGUF tensor "${name}"`);
    seen.add(name);
    const dims = [...shape].reverse();
    const type = convertTensorType(name, shape, convFtype);
    out.push({ name, shape, dims, type, byteSize: tensorByteSize(type, dims), source, ...(transform ? { transform } : {}) });
  };
  for (const g of p.generated) add(g.name, g.shape, { generated: g });
  for (const [hfName, tensor] of p.checkpoint.tensors) {
    const name = p.arch.tensorName(hfName);
    if (name === null) continue;
    const { dtype, shape } = tensor.info;
    if (dtype !== "F32" && dtype !== "F16" && dtype !== "BF16" && dtype !== "F64") {
      throw new CortexError("CONV_FAILED", `${tensor.shard.path}: tensor "${hfName}" has dtype ${dtype}; only float checkpoints can be converted`);
    }
    const want = p.arch.expectedShape(name);
    if (want && (want.length !== shape.length || want.some((d, i) => d !== shape[i]))) {
      throw new CortexError("CONV_SHAPE_MISMATCH", `tensor "${hfName}" (${tensor.shard.name}) has shape [${shape.join(", ")}] but ${p.configPath} implies [${want.join(", ")}]`, {
        details: { tensor: hfName, shape: [...shape], expected: [...want] },
      });
    }
    add(name, shape, { hfName, tensor }, p.arch.transform(hfName, shape, dtype));
  }
  if (p.mode.kind === "convert") return out;

  const mode = p.mode;
  const hasOutput = out.some((t) => t.name === "output.weight");
  const nAttentionV = out.filter((t) => /attn_(?:v|qkv|kv_b)\.weight/.test(t.name)).length;
  const model = { arch: p.arch.ggufArch, nGqa: p.nGqa, nExpert: p.nExpert, is70B: p.blockCount === 80 && ((p.arch.ggufArch === "llama" && p.nGqa > 1) || p.arch.ggufArch === "qwen2"), hasOutput, nAttentionV };
  return [...out].sort((a, b) => weightNameCompare(a.name, b.name)).map((t) => {
    const type = quantMixTensorType(t.name, nameLayer(t.name), p.blockCount, mode.ftype, t.dims, t.type, model, p.quantOptions);
    return { ...t, type, byteSize: tensorByteSize(type, t.dims), roundVia: t.type };
  });
}

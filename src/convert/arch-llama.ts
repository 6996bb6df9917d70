import { CortexError } from "../errors/cortex-error.js";
import { LLAMA_BLOCK_MAP, llamaFamilyShapes, mapLlamaFamilyName, type ArchConverter, type ArchSetup, type GeneratedTensor } from "./arch.js";
import { optNumber } from "./hf-config.js";
import { fullAttentionRope, writeTextModelParams } from "./text-model-params.js";

/**
 * Undo the HF q/k row order (rotate-half) into llama.cpp's interleaved pairs: LlamaModel.permute, i.e.
 * `w.reshape(n_head, 2, rows // n_head // 2, *rest).swapaxes(1, 2).reshape(w.shape)`. New row
 * `h·hd + 2j + t` is old row `h·hd + t·hd/2 + j`. `nHeadKv`, when given and different, replaces `nHead`.
 */
export function permuteQk(data: Float32Array, shape: readonly number[], nHead: number, nHeadKv?: number): Float32Array {
  const heads = nHeadKv !== undefined && nHeadKv !== nHead ? nHeadKv : nHead;
  const rows = shape[0]!;
  const rowLen = shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows % (heads * 2) !== 0) {
    throw new CortexError("CONV_SHAPE_MISMATCH", `cannot permute ${rows} rows into ${heads} heads of rotary pairs`);
  }
  const hd = rows / heads;
  const half = hd / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) {
        const src = (h * hd + t * half + j) * rowLen;
        const dst = (h * hd + 2 * j + t) * rowLen;
        out.set(data.subarray(src, src + rowLen), dst);
      }
    }
  }
  return out;
}

/**
 * Llama 3.1-style rope scaling factors (`rope_freqs.weight`), computed step by step in f32 as torch does;
 * `base ** x` may differ from torch's powf in the last bit.
 */
export function llama3RopeFactors(rope: Record<string, unknown>, dim: number): Float32Array {
  const f = Math.fround;
  const num = (k: string, d: number): number => (typeof rope[k] === "number" ? (rope[k] as number) : d);
  const base = f(num("rope_theta", 10000.0));
  const factor = num("factor", 8.0);
  const low = num("low_freq_factor", 1.0);
  const high = num("high_freq_factor", 4.0);
  const old = num("original_max_position_embeddings", 8192);
  const lowWavelen = old / low;
  const highWavelen = old / high;
  const twoPi = f(2 * Math.PI);
  const out = new Float32Array(dim / 2);
  for (let k = 0; k < dim / 2; k++) {
    const freq = f(1 / f(Math.pow(base, f(f(2 * k) / dim))));
    const wavelen = f(twoPi / freq);
    if (wavelen < f(highWavelen)) out[k] = 1;
    else if (wavelen > f(lowWavelen)) out[k] = factor;
    else {
      const smooth = f(f(f(f(old) / wavelen) - f(low)) / f(high - low));
      out[k] = f(1 / f(f(f(1 - smooth) / f(factor)) + smooth));
    }
  }
  return out;
}

/** LlamaForCausalLM and MistralForCausalLM (HF layout): `llama` GGUFs with permuted q/k. */
export function createLlamaArch(s: ArchSetup): ArchConverter {
  const p = s.params;
  const shapes = llamaFamilyShapes(p);
  const nHead = optNumber(p, ["n_heads", "num_attention_heads"]);
  const nHeadKv = optNumber(p, ["n_kv_heads", "num_key_value_heads"]);
  const prefix = s.hparams.architecture === "LlamaModel" ? "model." : "";
  const headDim = (): number => (typeof p.head_dim === "number" ? p.head_dim : Math.floor((p.hidden_size as number) / (p.num_attention_heads as number)));
  return {
    ggufArch: "llama",
    vocab: "llama",
    kv(c) {
      writeTextModelParams(c);
      c.kv.uint32("llama.vocab_size", p.vocab_size as number);
      c.kv.uint32("llama.rope.dimension_count", headDim());
    },
    tensorName(hf) {
      return mapLlamaFamilyName(prefix + hf.replaceAll("text_model.", ""), LLAMA_BLOCK_MAP, "llama");
    },
    expectedShape: shapes,
    transform(hf, shape) {
      if (nHead === undefined) return undefined;
      if (hf.endsWith("q_proj.weight") || hf.endsWith("q_proj.bias")) return (d) => permuteQk(d, shape, nHead, nHead);
      if (hf.endsWith("k_proj.weight") || hf.endsWith("k_proj.bias")) return (d) => permuteQk(d, shape, nHead, nHeadKv);
      return undefined;
    },
    extraTensors(): GeneratedTensor[] {
      const rp = fullAttentionRope(s.rope);
      if (typeof rp.rope_type !== "string" || rp.rope_type.toLowerCase() !== "llama3") return [];
      const dim = headDim();
      return [{ name: "rope_freqs.weight", shape: [dim / 2], data: llama3RopeFactors(rp, dim) }];
    },
  };
}

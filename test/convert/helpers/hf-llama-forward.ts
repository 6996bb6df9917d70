/**
 * A plain f64 forward pass of a Hugging Face LlamaForCausalLM / Qwen2ForCausalLM (transformers semantics:
 * RMSNorm, rotate-half RoPE, grouped-query causal attention, SwiGLU MLP), to check that llama.cpp computes
 * the same function from a converted GGUF — the end-to-end test of tensor layout and the q/k permutation.
 */
export interface HfLlamaWeights {
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly ff: number;
  readonly layers: number;
  readonly vocab: number;
  readonly eps: number;
  readonly theta: number;
  readonly tied: boolean;
  readonly biases: boolean;
  /** HF tensor values by name. */
  readonly get: (name: string) => Float32Array;
}

function matvec(w: Float32Array, x: Float64Array, out: number, inp: number, bias?: Float32Array): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias[o]! : 0;
    const row = o * inp;
    for (let i = 0; i < inp; i++) s += w[row + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]!);
}

function rope(v: Float64Array, heads: number, hd: number, pos: number, theta: number): void {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const ang = pos / Math.pow(theta, (2 * i) / hd);
      const c = Math.cos(ang);
      const s = Math.sin(ang);
      const a = v[h * hd + i]!;
      const b = v[h * hd + i + half]!;
      v[h * hd + i] = a * c - b * s;
      v[h * hd + i + half] = b * c + a * s;
    }
  }
}

/** Logits for the token after `tokens`. */
export function hfLlamaLogits(m: HfLlamaWeights, tokens: readonly number[]): Float64Array {
  const H = m.hidden;
  const hd = H / m.heads;
  const group = m.heads / m.kvHeads;
  const emb = m.get("model.embed_tokens.weight");
  let xs = tokens.map((t) => Float64Array.from(emb.subarray(t * H, (t + 1) * H)));
  for (let l = 0; l < m.layers; l++) {
    const p = `model.layers.${l}`;
    const b = (n: string): Float32Array | undefined => (m.biases ? m.get(`${p}.self_attn.${n}_proj.bias`) : undefined);
    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    xs.forEach((x, pos) => {
      const h = rmsNorm(x, m.get(`${p}.input_layernorm.weight`), m.eps);
      const q = matvec(m.get(`${p}.self_attn.q_proj.weight`), h, m.heads * hd, H, b("q"));
      const k = matvec(m.get(`${p}.self_attn.k_proj.weight`), h, m.kvHeads * hd, H, b("k"));
      rope(q, m.heads, hd, pos, m.theta);
      rope(k, m.kvHeads, hd, pos, m.theta);
      qs.push(q);
      ks.push(k);
      vs.push(matvec(m.get(`${p}.self_attn.v_proj.weight`), h, m.kvHeads * hd, H, b("v")));
    });
    xs = xs.map((x, pos) => {
      const attn = new Float64Array(m.heads * hd);
      for (let h = 0; h < m.heads; h++) {
        const kh = Math.floor(h / group);
        const scores = ks.slice(0, pos + 1).map((k) => {
          let s = 0;
          for (let i = 0; i < hd; i++) s += qs[pos]![h * hd + i]! * k[kh * hd + i]!;
          return s / Math.sqrt(hd);
        });
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, c) => a + c, 0);
        e.forEach((w, j) => {
          for (let i = 0; i < hd; i++) attn[h * hd + i]! += (w / z) * vs[j]![kh * hd + i]!;
        });
      }
      const o = matvec(m.get(`${p}.self_attn.o_proj.weight`), attn, H, m.heads * hd);
      const x1 = x.map((v, i) => v + o[i]!);
      const h2 = rmsNorm(x1, m.get(`${p}.post_attention_layernorm.weight`), m.eps);
      const g = matvec(m.get(`${p}.mlp.gate_proj.weight`), h2, m.ff, H);
      const u = matvec(m.get(`${p}.mlp.up_proj.weight`), h2, m.ff, H);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
      const d = matvec(m.get(`${p}.mlp.down_proj.weight`), act, H, m.ff);
      return x1.map((v, i) => v + d[i]!);
    });
  }
  const last = rmsNorm(xs[xs.length - 1]!, m.get("model.norm.weight"), m.eps);
  return matvec(m.get(m.tied ? "model.embed_tokens.weight" : "lm_head.weight"), last, m.vocab, H);
}

#!/usr/bin/env python3
"""Writes a small random-weight llama-architecture GGUF for quantization tests, using llama.cpp's gguf-py.

Shapes default to K-quant friendly sizes (hidden and ff multiples of 256) so llama-quantize applies its real
mixture rules instead of shape fallbacks. The tokenizer is either a tiny SentencePiece-style vocabulary written
here (default: ~300 tokens, byte fallback, ChatML control tokens) or copied from a vocab-only GGUF (--vocab).
Same arguments give byte-identical files (seeded numpy RNG).
"""
import argparse
import sys

import numpy as np

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def tiny_spm_vocab():
    """<unk>, <s>, </s>, 256 byte tokens, ▁, a-z, a few merges, ChatML markers: tokens, scores, types."""
    tokens, scores, types = ["<unk>", "<s>", "</s>"], [0.0, 0.0, 0.0], [2, 3, 3]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        scores.append(0.0)
        types.append(6)
    pieces = ["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    pieces += ["\u2581t", "th", "he", "\u2581th", "\u2581the", "at", "\u2581c", "\u2581ca", "\u2581cat", "\u2581s", "\u2581sa", "\u2581sat"]
    for i, p in enumerate(pieces):
        tokens.append(p)
        scores.append(-float(i) if len(p) <= 1 else float(len(p)))
        types.append(1)
    for t in ["<|im_start|>", "<|im_end|>"]:
        tokens.append(t)
        scores.append(0.0)
        types.append(3)
    return tokens, scores, types


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf-py", required=True, help="llama.cpp/gguf-py folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", help="vocab-only GGUF to copy tokenizer.* keys from (default: a tiny SPM vocab)")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--ff", type=int, default=512)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=512)
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f16")
    ap.add_argument("--tied", action="store_true", help="no output.weight (llama.cpp reuses token_embd)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    sys.path.insert(0, args.gguf_py)
    import gguf  # noqa: E402

    E, L, H, HKV, F = args.hidden, args.layers, args.heads, args.kv_heads, args.ff
    head_dim = E // H
    rng = np.random.default_rng(args.seed)

    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("cortex-quant-fixture")
    w.add_context_length(args.ctx)
    w.add_embedding_length(E)
    w.add_block_count(L)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_head_count_kv(HKV)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(10000.0)
    ftype = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16, "bf16": gguf.LlamaFileType.MOSTLY_BF16}[args.dtype]
    w.add_file_type(ftype)

    eos = 2
    if args.vocab:
        reader = gguf.GGUFReader(args.vocab)
        n_vocab = len(reader.fields["tokenizer.ggml.tokens"].data)
        if "tokenizer.ggml.eos_token_id" in reader.fields:
            eos = int(reader.fields["tokenizer.ggml.eos_token_id"].contents())
        for f in reader.fields.values():
            if not f.name.startswith("tokenizer.") or f.name == "tokenizer.chat_template":
                continue
            vtype = f.types[0]
            sub = f.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
            w.add_key_value(f.name, f.contents(), vtype, sub_type=sub)
    else:
        tokens, scores, types = tiny_spm_vocab()
        n_vocab = len(tokens)
        w.add_tokenizer_model("llama")
        w.add_tokenizer_pre("default")
        w.add_token_list(tokens)
        w.add_token_scores(scores)
        w.add_token_types(types)
        w.add_bos_token_id(1)
        w.add_eos_token_id(2)
        w.add_unk_token_id(0)
    w.add_vocab_size(n_vocab)
    w.add_chat_template(CHATML)

    def rand(*shape: int, scale: float = 0.5, zero_row: int | None = None) -> np.ndarray:
        x = (rng.standard_normal(shape) * scale).astype(np.float32)
        if zero_row is not None:
            # A zero logit row for EOS: with random weights the best of the other logits is far above 0, so
            # generation runs to max_tokens instead of stopping at a random end-of-sequence.
            x[zero_row, :] = 0
        if args.dtype == "f16":
            return x.astype(np.float16)
        if args.dtype == "bf16":
            return gguf.quants.quantize(x, gguf.GGMLQuantizationType.BF16)
        return x

    def add(name: str, arr: np.ndarray) -> None:
        if args.dtype == "bf16" and arr.dtype == np.uint8:
            w.add_tensor(name, arr, raw_dtype=gguf.GGMLQuantizationType.BF16)  # byte shape → element shape
        else:
            w.add_tensor(name, arr)

    # numpy shapes are the reverse of ggml dims: token_embd ggml [E, V] is numpy [V, E].
    add("token_embd.weight", rand(n_vocab, E, zero_row=eos if args.tied else None))
    add("output_norm.weight", np.ones(E, dtype=np.float32))
    if not args.tied:
        add("output.weight", rand(n_vocab, E, scale=1.0, zero_row=eos))
    for i in range(L):
        add(f"blk.{i}.attn_norm.weight", np.ones(E, dtype=np.float32))
        add(f"blk.{i}.attn_q.weight", rand(E, E))
        add(f"blk.{i}.attn_k.weight", rand(HKV * head_dim, E))
        add(f"blk.{i}.attn_v.weight", rand(HKV * head_dim, E))
        add(f"blk.{i}.attn_output.weight", rand(E, E))
        add(f"blk.{i}.ffn_norm.weight", np.ones(E, dtype=np.float32))
        add(f"blk.{i}.ffn_gate.weight", rand(F, E))
        add(f"blk.{i}.ffn_up.weight", rand(F, E))
        add(f"blk.{i}.ffn_down.weight", rand(E, F))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

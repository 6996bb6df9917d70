import { access } from "node:fs/promises";
import { join } from "node:path";
import { writeGpt2Vocab } from "./bpe-vocab.js";
import { loadSpecialVocab } from "./special-vocab.js";
import { addSpecialVocabToGguf } from "./special-vocab-to-gguf.js";
import { writeLlamaHfVocab, writeSentencePieceVocab } from "./spm-vocab.js";
import { missing, type TokenizerContext, type TokenizerSummary } from "./vocab-common.js";

export { TOKEN_TYPE, looksSpecial, type TokenizerContext, type TokenizerSummary } from "./vocab-common.js";
export { writeGpt2Vocab } from "./bpe-vocab.js";
export { writeLlamaHfVocab, writeSentencePieceVocab } from "./spm-vocab.js";

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The `set_vocab` variants of the supported architectures. */
export type VocabFlavour = "llama" | "qwen2" | "phi3" | "gemma" | "gemma2";

/**
 * Write the tokenizer KVs the way the architecture's `set_vocab` does: Llama tries tokenizer.model, then a
 * byte-fallback tokenizer.json (LlamaHfVocab), then byte-level BPE; Qwen2/3 tokenizer.model then BPE; Phi-3
 * BPE for GPT2Tokenizer checkpoints else its own SentencePiece path; Gemma SentencePiece only.
 * @throws CortexError CONV_MISSING_TOKENIZER when the checkpoint has no usable tokenizer.
 */
export async function tokenizerToGguf(c: TokenizerContext, flavour: VocabFlavour): Promise<TokenizerSummary> {
  const tc = await c.json("tokenizer_config.json");
  const hasModel = await exists(join(c.dir, "tokenizer.model"));
  const hasJson = await exists(join(c.dir, "tokenizer.json"));
  if (!hasModel && !hasJson) throw missing(c.dir, "no tokenizer.model or tokenizer.json");
  switch (flavour) {
    case "llama": {
      if (tc && tc.add_prefix_space !== undefined && tc.add_prefix_space !== null) c.kv.bool("tokenizer.ggml.add_space_prefix", tc.add_prefix_space === true);
      const s = (await writeSentencePieceVocab(c)) ?? (await writeLlamaHfVocab(c)) ?? (await writeGpt2Vocab(c));
      const vs = typeof c.params.vocab_size === "number" ? c.params.vocab_size : 32000;
      if (vs === 32016) {
        // CodeLlama infill tokens
        const sv = await loadSpecialVocab(c.dir, { specialTokenTypes: ["prefix", "suffix", "middle", "eot"] }, c.json);
        // prefix/suffix/middle (32007–32009) have no GGUF key in this converter version; eot does.
        if (!sv.specialTokenIds.has("eot")) sv.specialTokenIds.set("eot", 32010);
        addSpecialVocabToGguf(sv, c.kv);
      }
      if (vs === 49152) c.kv.bool("tokenizer.ggml.add_bos_token", false);
      return s;
    }
    case "qwen2":
      return (await writeSentencePieceVocab(c)) ?? (await writeGpt2Vocab(c));
    case "phi3": {
      if (tc?.tokenizer_class === "GPT2Tokenizer") return writeGpt2Vocab(c);
      const s = await writeSentencePieceVocab(c, "phi3");
      if (!s) throw missing(c.dir, "Phi-3 needs tokenizer.model (SentencePiece) unless tokenizer_class is GPT2Tokenizer");
      return s;
    }
    case "gemma":
    case "gemma2": {
      const s = await writeSentencePieceVocab(c);
      if (!s) throw missing(c.dir, `${flavour === "gemma" ? "Gemma" : "Gemma 2"} needs tokenizer.model (SentencePiece)`);
      if (flavour === "gemma") {
        const sv = await loadSpecialVocab(c.dir, { specialTokenTypes: ["prefix", "suffix", "middle", "fsep", "eot"] }, c.json);
        if (!sv.specialTokenIds.has("eot")) sv.specialTokenIds.set("eot", 107);
        sv.chatTemplate = undefined;
        addSpecialVocabToGguf(sv, c.kv);
      }
      c.kv.bool("tokenizer.ggml.add_space_prefix", false);
      return s;
    }
  }
}

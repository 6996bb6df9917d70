import { join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { detectBpePre, type BpePreDetection } from "./bpe-pre-detect.js";
import { isObject } from "./hf-config.js";
import { addSpecialVocab, looksSpecial, missing, TOKEN_TYPE, type TokenizerContext, type TokenizerSummary } from "./vocab-common.js";

/**
 * `_set_vocab_gpt2`: byte-level BPE from tokenizer.json (`get_vocab_base`: ids up to config vocab_size, gaps
 * as `[PAD{i}]` UNUSED, added tokens CONTROL when special or special-looking else USER_DEFINED), the detected
 * pre-tokenizer, then SpecialVocab with merges.
 * @throws CortexError CONV_MISSING_TOKENIZER without tokenizer.json or when the pre-tokenizer is unknown.
 */
export async function writeGpt2Vocab(c: TokenizerContext): Promise<TokenizerSummary> {
  const tokenizer = await c.json("tokenizer.json");
  if (!tokenizer) throw missing(c.dir, "no tokenizer.json (byte-level BPE vocabularies are read from it)");
  const model = isObject(tokenizer.model) ? tokenizer.model : {};
  if (model.type !== "BPE" || !isObject(model.vocab)) throw missing(c.dir, `tokenizer.json model is ${JSON.stringify(model.type)}, not a BPE vocabulary`);
  const tc = await c.json("tokenizer_config.json");

  const reverse = new Map<number, string>();
  for (const [t, id] of Object.entries(model.vocab)) if (typeof id === "number") reverse.set(id, t);
  const added = new Map<string, { id: number; special: boolean }>();
  for (const a of Array.isArray(tokenizer.added_tokens) ? tokenizer.added_tokens.filter(isObject) : []) {
    const id = Number(a.id);
    added.set(String(a.content), { id, special: a.special === true });
    reverse.set(id, String(a.content));
  }
  const maxId = Math.max(...reverse.keys());
  const vocabSize = typeof c.params.vocab_size === "number" ? c.params.vocab_size : new Set(reverse.values()).size;
  if (maxId >= vocabSize) {
    throw new CortexError("CONV_SHAPE_MISMATCH", `${join(c.dir, "tokenizer.json")}: token id ${maxId} does not fit config.json vocab_size ${vocabSize}`);
  }
  const addedById = new Map([...added.values()].map((a) => [a.id, a]));

  let pre = c.preTokenizer;
  let preDetection: BpePreDetection | undefined;
  if (pre === undefined) {
    preDetection = detectBpePre(tokenizer, tc);
    if (preDetection.pre === undefined) {
      throw missing(c.dir, `the BPE pre-tokenizer of tokenizer.json is not recognised (chkhsh ${preDetection.chkhsh ?? "not computable: " + preDetection.hashError}); pass preTokenizer to name llama.cpp's pre-tokenizer`);
    }
    pre = preDetection.pre;
  }

  const tokens: string[] = [];
  const types = new Int32Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    let tok = reverse.get(i);
    if (tok === undefined) {
      tokens.push(`[PAD${i}]`);
      types[i] = TOKEN_TYPE.UNUSED;
      continue;
    }
    if (added.has(tok)) {
      const a = addedById.get(i) ?? added.get(tok)!;
      if (a.special || looksSpecial(tok)) types[i] = TOKEN_TYPE.CONTROL;
      else {
        tok = tok.replaceAll("\u2581", " ");
        types[i] = TOKEN_TYPE.USER_DEFINED;
      }
    } else types[i] = TOKEN_TYPE.NORMAL;
    tokens.push(tok);
  }
  c.kv.string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", pre);
  c.kv.stringArray("tokenizer.ggml.tokens", tokens).int32Array("tokenizer.ggml.token_type", types);
  await addSpecialVocab(c, { loadMerges: true });
  return { model: "gpt2", pre, vocabSize, ...(preDetection ? { preDetection } : {}) };
}


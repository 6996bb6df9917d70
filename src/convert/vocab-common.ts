import { CortexError } from "../errors/cortex-error.js";
import type { BpePreDetection } from "./bpe-pre-detect.js";
import type { GgufKvList } from "./gguf-kv-list.js";
import type { JsonObject, JsonReader } from "./hf-config.js";
import { loadSpecialVocab, type SpecialVocabOptions } from "./special-vocab.js";
import { addSpecialVocabToGguf } from "./special-vocab-to-gguf.js";

/** gguf TokenType. */
export const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** What a conversion wrote for the tokenizer. */
export interface TokenizerSummary {
  readonly model: "gpt2" | "llama";
  readonly pre: string;
  readonly vocabSize: number;
  /** BPE only: how the pre-tokenizer name was found. */
  readonly preDetection?: BpePreDetection;
}

export interface TokenizerContext {
  readonly dir: string;
  /** The folder's JSON files, each read once per conversion. */
  readonly json: JsonReader;
  /** hparams (vocab_size read from here). */
  readonly params: JsonObject;
  readonly kv: GgufKvList;
  /** Force `tokenizer.ggml.pre` for BPE vocabularies instead of detecting it. */
  readonly preTokenizer?: string;
  readonly warn: (message: string) => void;
}

export const missing = (dir: string, what: string): CortexError => new CortexError("CONV_MISSING_TOKENIZER", `${dir}: ${what}`);

/** `TextModel.does_token_look_special`. */
export function looksSpecial(t: string): boolean {
  return ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(t) || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<｜") && t.endsWith("｜>")) || (t.startsWith("<unused") && t.endsWith(">"));
}

/** Load SpecialVocab (warnings forwarded) and add it to the KVs. */
export async function addSpecialVocab(c: TokenizerContext, options: SpecialVocabOptions): Promise<void> {
  const sv = await loadSpecialVocab(c.dir, options, c.json);
  for (const w of sv.warnings) c.warn(w);
  if (options.loadMerges && sv.merges.length === 0) c.warn("adding merges requested but no merges found, output may be non-functional");
  addSpecialVocabToGguf(sv, c.kv);
}


import { createHash } from "node:crypto";
import { BPE_PRE_HASHES, CHK_TXT } from "./bpe-pre-hashes.js";
import { isObject, type JsonObject } from "./hf-config.js";
import { HfBpeEncoder, UnsupportedTokenizerError } from "./hf-bpe-encoder.js";

/** How `tokenizer.ggml.pre` was chosen. */
export interface BpePreDetection {
  /** The llama.cpp pre-tokenizer name, or undefined when neither method recognised the tokenizer. */
  readonly pre: string | undefined;
  /** `hash`: convert_hf_to_gguf's own fingerprint matched; `pattern`: the pre_tokenizer config matched a known one. */
  readonly method: "hash" | "pattern" | "none";
  /** sha256 of `str(tokenizer.encode(CHK_TXT))`, when this encoder could tokenize with tokenizer.json. */
  readonly chkhsh: string | undefined;
  /** Why the hash could not be computed. */
  readonly hashError?: string;
}

/** Pre-tokenizer regexes of widely used tokenizer.json files → llama.cpp's name for them. */
const KNOWN_SPLIT_REGEXES: ReadonlyMap<string, string> = new Map([
  // Llama 3 / 3.1 / 3.2 / 3.3
  ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "llama-bpe"],
  // Qwen1.5 / Qwen2 / Qwen2.5 / Qwen3
  ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", "qwen2"],
]);

/**
 * The fallback when the fingerprint is unknown (always the case for private or tiny vocabularies): match the
 * pre_tokenizer configuration itself. A plain `ByteLevel` pre-tokenizer with its GPT-2 regex is `gpt-2`; a
 * `Split` + `ByteLevel(use_regex: false)` sequence is looked up by its regex.
 */
export function preFromPattern(tokenizer: JsonObject): string | undefined {
  const pt = tokenizer.pre_tokenizer;
  if (!isObject(pt)) return undefined;
  if (pt.type === "ByteLevel") return pt.use_regex !== false && pt.add_prefix_space !== true ? "gpt-2" : undefined;
  if (pt.type !== "Sequence" || !Array.isArray(pt.pretokenizers) || pt.pretokenizers.length !== 2) return undefined;
  const [split, bl] = pt.pretokenizers as unknown[];
  if (!isObject(split) || split.type !== "Split" || split.behavior !== "Isolated" || split.invert === true) return undefined;
  if (!isObject(bl) || bl.type !== "ByteLevel" || bl.use_regex !== false || bl.add_prefix_space === true) return undefined;
  const regex = isObject(split.pattern) ? split.pattern.Regex : undefined;
  return typeof regex === "string" ? KNOWN_SPLIT_REGEXES.get(regex) : undefined;
}

/**
 * convert_hf_to_gguf's `get_vocab_base_pre`, reproduced without transformers: tokenize CHK_TXT with a
 * tokenizer.json-driven encoder (special tokens added as the post-processor says), hash `str(ids)` and look
 * the hash up in the table generated from the Python source; if the encoder lacks a component or the hash is
 * unknown, fall back to {@link preFromPattern}.
 */
export function detectBpePre(tokenizer: JsonObject, tokenizerConfig: JsonObject | undefined): BpePreDetection {
  let chkhsh: string | undefined;
  let hashError: string | undefined;
  try {
    const ids = new HfBpeEncoder(tokenizer, tokenizerConfig).encode(CHK_TXT, true);
    chkhsh = createHash("sha256").update(`[${ids.join(", ")}]`).digest("hex");
    const pre = BPE_PRE_HASHES.get(chkhsh);
    if (pre !== undefined) return { pre, method: "hash", chkhsh };
  } catch (err) {
    if (!(err instanceof UnsupportedTokenizerError)) throw err;
    hashError = err.message;
  }
  const pre = preFromPattern(tokenizer);
  return { pre, method: pre === undefined ? "none" : "pattern", chkhsh, ...(hashError !== undefined ? { hashError } : {}) };
}

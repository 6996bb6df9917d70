import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { detectBpePre, type BpePreDetection } from "./bpe-pre-detect.js";
import type { GgufKvList } from "./gguf-kv-list.js";
import { isObject, readJsonObject, type JsonObject } from "./hf-config.js";
import { parseSentencePieceModel, SPM_PIECE_TYPE } from "./sentencepiece-model.js";
import { addSpecialVocabToGguf, loadSpecialVocab, type SpecialVocabOptions } from "./special-vocab.js";

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
  /** hparams (vocab_size read from here). */
  readonly params: JsonObject;
  readonly kv: GgufKvList;
  /** Force `tokenizer.ggml.pre` for BPE vocabularies instead of detecting it. */
  readonly preTokenizer?: string;
  readonly warn: (message: string) => void;
}

const missing = (dir: string, what: string): CortexError => new CortexError("CONV_MISSING_TOKENIZER", `${dir}: ${what}`);

/** `TextModel.does_token_look_special`. */
export function looksSpecial(t: string): boolean {
  return ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(t) || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<｜") && t.endsWith("｜>")) || (t.startsWith("<unused") && t.endsWith(">"));
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `_set_vocab_gpt2`: byte-level BPE from tokenizer.json (`get_vocab_base`: ids up to config vocab_size, gaps
 * as `[PAD{i}]` UNUSED, added tokens CONTROL when special or special-looking else USER_DEFINED), the detected
 * pre-tokenizer, then SpecialVocab with merges.
 * @throws CortexError CONV_MISSING_TOKENIZER without tokenizer.json or when the pre-tokenizer is unknown.
 */
export async function writeGpt2Vocab(c: TokenizerContext): Promise<TokenizerSummary> {
  const tokenizer = await readJsonObject(c.dir, "tokenizer.json");
  if (!tokenizer) throw missing(c.dir, "no tokenizer.json (byte-level BPE vocabularies are read from it)");
  const model = isObject(tokenizer.model) ? tokenizer.model : {};
  if (model.type !== "BPE" || !isObject(model.vocab)) throw missing(c.dir, `tokenizer.json model is ${JSON.stringify(model.type)}, not a BPE vocabulary`);
  const tc = await readJsonObject(c.dir, "tokenizer_config.json");

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

async function addSpecialVocab(c: TokenizerContext, options: SpecialVocabOptions): Promise<void> {
  const sv = await loadSpecialVocab(c.dir, options);
  for (const w of sv.warnings) c.warn(w);
  if (options.loadMerges && sv.merges.length === 0) c.warn("adding merges requested but no merges found, output may be non-functional");
  addSpecialVocabToGguf(sv, c.kv);
}

/** Token lists of a SentencePiece vocabulary before they are written. */
interface SpmVocab {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
}

/** `_create_vocab_sentencepiece` (or Phi-3's variant): pieces padded to vocab_size, added tokens overriding. */
async function createSpmVocab(c: TokenizerContext, flavour: "default" | "phi3"): Promise<SpmVocab | undefined> {
  const path = join(c.dir, "tokenizer.model");
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  const pieces = parseSentencePieceModel(bytes, path);
  const hp = flavour === "default" ? (c.params.vocab_size_per_layer_input ?? c.params.vocab_size) : c.params.vocab_size;
  const vocabSize = typeof hp === "number" && hp > 0 ? hp : pieces.length;
  const tokens = Array.from({ length: vocabSize }, (_, i) => `[PAD${i}]`);
  const scores = new Float32Array(vocabSize).fill(-10000);
  const types = new Int32Array(vocabSize).fill(TOKEN_TYPE.UNUSED);
  for (let id = 0; id < pieces.length; id++) {
    if (id >= vocabSize) {
      if (flavour === "default") {
        c.warn(`ignore tokens from ${id}: id is out of range, max=${vocabSize - 1}`);
        break;
      }
      throw new CortexError("CONV_SHAPE_MISMATCH", `${path}: has ${pieces.length} pieces but config.json vocab_size is ${vocabSize}`);
    }
    const p = pieces[id]!;
    let t: number = TOKEN_TYPE.NORMAL;
    if (p.type === SPM_PIECE_TYPE.UNKNOWN) t = TOKEN_TYPE.UNKNOWN;
    else if (p.type === SPM_PIECE_TYPE.CONTROL) t = TOKEN_TYPE.CONTROL;
    else if (p.type === SPM_PIECE_TYPE.UNUSED) t = TOKEN_TYPE.UNUSED;
    else if (p.type === SPM_PIECE_TYPE.BYTE) t = TOKEN_TYPE.BYTE;
    tokens[id] = p.piece;
    scores[id] = p.score;
    types[id] = t;
  }
  const addedJson = await readJsonObject(c.dir, "added_tokens.json");
  for (const [key, idRaw] of Object.entries(addedJson ?? {})) {
    const id = Number(idRaw);
    if (id >= vocabSize) continue;
    tokens[id] = key;
    scores[id] = -1000;
    types[id] = TOKEN_TYPE.USER_DEFINED;
  }
  const tc = await readJsonObject(c.dir, "tokenizer_config.json");
  const decoder = tc && isObject(tc.added_tokens_decoder) ? tc.added_tokens_decoder : {};
  const apply = (id: number, data: JsonObject): void => {
    if (id >= vocabSize) return;
    let token = String(data.content);
    if (flavour === "default") {
      if (data.special === true || looksSpecial(token)) types[id] = TOKEN_TYPE.CONTROL;
      else {
        token = token.replaceAll("\u2581", " ");
        types[id] = TOKEN_TYPE.USER_DEFINED;
      }
    } else types[id] = data.special === true ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED;
    scores[id] = -1000;
    tokens[id] = token;
  };
  for (const [id, data] of Object.entries(decoder)) if (isObject(data)) apply(Number(id), data);
  if (flavour === "phi3") {
    const tj = await readJsonObject(c.dir, "tokenizer.json");
    for (const a of tj && Array.isArray(tj.added_tokens) ? tj.added_tokens.filter(isObject) : []) apply(Number(a.id), a);
  }
  return { tokens, scores, types };
}

function writeSpm(c: TokenizerContext, v: SpmVocab): void {
  c.kv.string("tokenizer.ggml.model", "llama").string("tokenizer.ggml.pre", "default");
  c.kv.stringArray("tokenizer.ggml.tokens", v.tokens).float32Array("tokenizer.ggml.scores", v.scores).int32Array("tokenizer.ggml.token_type", v.types);
}

/**
 * `_set_vocab_sentencepiece` (flavour "default") or Phi-3's own SentencePiece path: tokens, scores and types
 * from tokenizer.model, then SpecialVocab. Returns undefined when there is no tokenizer.model.
 */
export async function writeSentencePieceVocab(c: TokenizerContext, flavour: "default" | "phi3" = "default"): Promise<TokenizerSummary | undefined> {
  const v = await createSpmVocab(c, flavour);
  if (!v) return undefined;
  writeSpm(c, v);
  await addSpecialVocab(c, { nVocab: v.tokens.length });
  return { model: "llama", pre: "default", vocabSize: v.tokens.length };
}

/**
 * `_set_vocab_llama_hf` (gguf-py LlamaHfVocab): a SentencePiece-style BPE tokenizer.json with byte fallback,
 * written as a `llama` vocabulary. Returns undefined when tokenizer.json is not that kind.
 */
export async function writeLlamaHfVocab(c: TokenizerContext): Promise<TokenizerSummary | undefined> {
  const tj = await readJsonObject(c.dir, "tokenizer.json");
  if (!tj || !isObject(tj.model)) return undefined;
  const m = tj.model;
  const isLlama3 = m.type === "BPE" && m.ignore_merges === true && m.byte_fallback !== true;
  if (isLlama3 || m.type !== "BPE" || m.byte_fallback !== true || !isObject(tj.decoder) || tj.decoder.type !== "Sequence") return undefined;
  const base = new Map<string, number>(Object.entries(isObject(m.vocab) ? m.vocab : {}).map(([t, id]) => [t, Number(id)]));
  const baseSize = base.size;
  const full = new Map(base);
  const addedList = (Array.isArray(tj.added_tokens) ? tj.added_tokens.filter(isObject) : []).map((a) => ({ content: String(a.content), id: Number(a.id) }));
  for (const a of addedList) full.set(a.content, a.id);
  const extra = addedList.filter((a) => a.id >= baseSize).sort((x, y) => x.id - y.id);
  const tc = await readJsonObject(c.dir, "tokenizer_config.json");
  const specialIds = new Set<number>();
  const specialNames = new Map<string, number>();
  const content = (v: unknown): string | undefined => (typeof v === "string" ? v : isObject(v) && typeof v.content === "string" ? v.content : undefined);
  for (const key of ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]) {
    const t = content(tc?.[key]);
    const id = t !== undefined ? full.get(t) : undefined;
    if (t !== undefined && id !== undefined) {
      specialIds.add(id);
      specialNames.set(t, id);
    }
  }
  for (const t of Array.isArray(tc?.additional_special_tokens) ? tc.additional_special_tokens : []) {
    const s = content(t);
    const id = s !== undefined ? full.get(s) : undefined;
    if (s !== undefined && id !== undefined) {
      specialIds.add(id);
      specialNames.set(s, id);
    }
  }
  const reverse = new Map<number, string>([...full].map(([t, id]) => [id, t]));
  const tokens: string[] = [];
  const types: number[] = [];
  const extraIds = new Set(extra.map((a) => a.id));
  for (let id = 0; id < baseSize; id++) {
    if (extraIds.has(id)) continue;
    const t = reverse.get(id);
    if (t === undefined) throw missing(c.dir, `tokenizer.json has no token with id ${id}`);
    tokens.push(t);
    types.push(/^<0x[0-9A-Fa-f]{2}>$/.test(t) ? TOKEN_TYPE.BYTE : specialIds.has(id) ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.NORMAL);
  }
  for (const a of extra) {
    tokens.push(a.content);
    types.push(specialNames.has(a.content) ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED);
  }
  writeSpm(c, { tokens, scores: new Float32Array(tokens.length).fill(-1000), types: Int32Array.from(types) });
  await addSpecialVocab(c, { nVocab: tokens.length });
  return { model: "llama", pre: "default", vocabSize: tokens.length };
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
  const tc = await readJsonObject(c.dir, "tokenizer_config.json");
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
        const sv = await loadSpecialVocab(c.dir, { specialTokenTypes: ["prefix", "suffix", "middle", "eot"] });
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
        const sv = await loadSpecialVocab(c.dir, { specialTokenTypes: ["prefix", "suffix", "middle", "fsep", "eot"] });
        if (!sv.specialTokenIds.has("eot")) sv.specialTokenIds.set("eot", 107);
        sv.chatTemplate = undefined;
        addSpecialVocabToGguf(sv, c.kv);
      }
      c.kv.bool("tokenizer.ggml.add_space_prefix", false);
      return s;
    }
  }
}

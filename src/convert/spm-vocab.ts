import { readSmallFile } from "../formats/quiet-read.js";
import { join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { isObject, type JsonObject } from "./hf-config.js";
import { parseSentencePieceModel, SPM_PIECE_TYPE } from "./sentencepiece-model.js";
import { addSpecialVocab, looksSpecial, missing, TOKEN_TYPE, type TokenizerContext, type TokenizerSummary } from "./vocab-common.js";

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
    bytes = await readSmallFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
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
  const addedJson = await c.json("added_tokens.json");
  for (const [key, idRaw] of Object.entries(addedJson ?? {})) {
    const id = Number(idRaw);
    if (id >= vocabSize) continue;
    tokens[id] = key;
    scores[id] = -1000;
    types[id] = TOKEN_TYPE.USER_DEFINED;
  }
  const tc = await c.json("tokenizer_config.json");
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
    const tj = await c.json("tokenizer.json");
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
  const tj = await c.json("tokenizer.json");
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
  const tc = await c.json("tokenizer_config.json");
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


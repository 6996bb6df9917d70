import { isObject, type JsonObject } from "./hf-config.js";
import { bytesToUnicode } from "./byte-level.js";
import { buildNormalizer, buildPreTokenizer, unsupported, type PreTokenize } from "./hf-pre-tokenize.js";

export { UnsupportedTokenizerError, GPT2_REGEX, toJsRegexSource } from "./hf-pre-tokenize.js";

/**
 * A byte-level BPE encoder following Hugging Face tokenizers for the components LLM tokenizer.json files
 * use: added-token splitting, NFC/NFKC/Lowercase/Replace/Prepend normalizers, Sequence/Split/ByteLevel/Digits
 * pre-tokenizers, the BPE model (merge ranks, `ignore_merges`, byte fallback, unk) and TemplateProcessing /
 * Roberta / Bert post-processors. Used to reproduce convert_hf_to_gguf's pre-tokenizer fingerprint.
 * @throws UnsupportedTokenizerError for anything else.
 */
export class HfBpeEncoder {
  private readonly vocab = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly added: { content: string; id: number; lstrip: boolean; rstrip: boolean }[] = [];
  private readonly normalize: (s: string) => string;
  private readonly preTokenize: PreTokenize;
  private readonly ignoreMerges: boolean;
  private readonly byteFallback: boolean;
  private readonly unkId: number | undefined;
  private readonly post: (ids: number[]) => number[];

  constructor(tokenizer: JsonObject, tokenizerConfig: JsonObject | undefined) {
    const model = isObject(tokenizer.model) ? tokenizer.model : unsupported("tokenizer.json without a model");
    if (model.type !== "BPE") unsupported(`model type ${String(model.type)}`);
    if (model.continuing_subword_prefix || model.end_of_word_suffix) unsupported("BPE with subword prefix/suffix");
    for (const [t, id] of Object.entries(isObject(model.vocab) ? model.vocab : {})) this.vocab.set(t, id as number);
    const merges = Array.isArray(model.merges) ? model.merges : [];
    merges.forEach((m, i) => {
      const pair = typeof m === "string" ? splitMerge(m) : m;
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") unsupported(`merge ${i}: ${JSON.stringify(m)?.slice(0, 40)} is neither "a b" nor ["a", "b"]`);
      const [a, b] = pair as string[];
      const key = `${a}\u0000${b}`;
      if (!this.ranks.has(key)) this.ranks.set(key, i);
    });
    for (const t of Array.isArray(tokenizer.added_tokens) ? tokenizer.added_tokens.filter(isObject) : []) {
      this.added.push({ content: String(t.content), id: Number(t.id), lstrip: t.lstrip === true, rstrip: t.rstrip === true });
      this.vocab.set(String(t.content), Number(t.id));
    }
    this.added.sort((x, y) => y.content.length - x.content.length);
    this.ignoreMerges = model.ignore_merges === true;
    this.byteFallback = model.byte_fallback === true;
    this.unkId = typeof model.unk_token === "string" ? this.vocab.get(model.unk_token) : undefined;
    this.normalize = buildNormalizer(tokenizer.normalizer);
    this.preTokenize = buildPreTokenizer(tokenizer.pre_tokenizer, bytesToUnicode());
    this.post = this.buildPost(tokenizer.post_processor, tokenizerConfig);
  }

  /** `tokenizer.encode(text)` (special tokens added by the post-processor when asked). */
  encode(text: string, addSpecialTokens = true): number[] {
    const ids: number[] = [];
    for (const seg of this.splitAdded(text)) {
      if (typeof seg === "number") ids.push(seg);
      else for (const word of this.preTokenize([this.normalize(seg)])) ids.push(...this.bpe(word));
    }
    return addSpecialTokens ? this.post(ids) : ids;
  }

  /** Split on added tokens (leftmost, longest first); lstrip/rstrip absorb neighbouring whitespace. */
  private splitAdded(text: string): (string | number)[] {
    if (this.added.length === 0) return [text];
    const out: (string | number)[] = [];
    let pos = 0;
    let buf = "";
    while (pos < text.length) {
      const hit = this.added.find((a) => a.content !== "" && text.startsWith(a.content, pos));
      if (!hit) {
        buf += text[pos];
        pos++;
        continue;
      }
      if (hit.lstrip) buf = buf.replace(/\s+$/u, "");
      if (buf) out.push(buf);
      buf = "";
      out.push(hit.id);
      pos += hit.content.length;
      if (hit.rstrip) while (pos < text.length && /\s/u.test(text[pos]!)) pos++;
    }
    if (buf) out.push(buf);
    return out;
  }

  private bpe(word: string): number[] {
    if (word === "") return [];
    const whole = this.vocab.get(word);
    if (this.ignoreMerges && whole !== undefined) return [whole];
    let syms: string[] = [];
    const ids: (number | undefined)[] = [];
    for (const ch of word) {
      if (this.vocab.has(ch)) syms.push(ch);
      else if (this.byteFallback) {
        for (const b of Buffer.from(ch, "utf8")) syms.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
      } else if (this.unkId !== undefined) syms.push("\u0000unk");
    }
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(`${syms[i]}\u0000${syms[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      syms = [...syms.slice(0, best), syms[best]! + syms[best + 1]!, ...syms.slice(best + 2)];
    }
    for (const s of syms) ids.push(s === "\u0000unk" ? this.unkId : this.vocab.get(s));
    return ids.filter((x): x is number => x !== undefined);
  }

  private buildPost(pp: unknown, tc: JsonObject | undefined): (ids: number[]) => number[] {
    const cls = typeof tc?.tokenizer_class === "string" ? tc.tokenizer_class : "";
    if (/^(?:Llama|CodeLlama|Gemma)Tokenizer(?:Fast)?$/.test(cls)) {
      // transformers' LlamaTokenizerFast/GemmaTokenizerFast rebuild the post-processor from add_bos/add_eos.
      const bos = tokenContent(tc?.bos_token);
      const eos = tokenContent(tc?.eos_token);
      const addBos = tc?.add_bos_token !== false;
      const addEos = tc?.add_eos_token === true;
      const bosId = bos !== undefined ? this.vocab.get(bos) : undefined;
      const eosId = eos !== undefined ? this.vocab.get(eos) : undefined;
      return (ids) => [...(addBos && bosId !== undefined ? [bosId] : []), ...ids, ...(addEos && eosId !== undefined ? [eosId] : [])];
    }
    return this.postFrom(pp);
  }

  private postFrom(pp: unknown): (ids: number[]) => number[] {
    if (pp === null || pp === undefined) return (ids) => ids;
    if (!isObject(pp)) return unsupported("post_processor");
    switch (pp.type) {
      case "Sequence": {
        const steps = (Array.isArray(pp.processors) ? pp.processors : []).map((x) => this.postFrom(x));
        return (ids) => steps.reduce((acc, f) => f(acc), ids);
      }
      case "ByteLevel":
        return (ids) => ids;
      case "TemplateProcessing": {
        const specials = isObject(pp.special_tokens) ? pp.special_tokens : {};
        const single = Array.isArray(pp.single) ? pp.single : [];
        return (ids) => single.flatMap((item) => {
          if (isObject(item) && isObject(item.Sequence)) return item.Sequence.id === "A" ? ids : [];
          if (isObject(item) && isObject(item.SpecialToken)) {
            const sp = specials[String(item.SpecialToken.id)];
            return isObject(sp) && Array.isArray(sp.ids) ? (sp.ids as number[]) : [];
          }
          return [];
        });
      }
      case "RobertaProcessing":
      case "BertProcessing": {
        const c = Array.isArray(pp.cls) ? Number(pp.cls[1]) : unsupported("post_processor cls");
        const s = Array.isArray(pp.sep) ? Number(pp.sep[1]) : unsupported("post_processor sep");
        return (ids) => [c, ...ids, s];
      }
      default:
        return unsupported(`post_processor ${String(pp.type)}`);
    }
  }
}

function splitMerge(m: string): [string, string] {
  const i = m.indexOf(" ", 1);
  return [m.slice(0, i), m.slice(i + 1)];
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (isObject(v) && typeof v.content === "string") return v.content;
  return undefined;
}

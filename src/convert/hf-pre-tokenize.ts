import { isObject } from "./hf-config.js";

/**
 * Hugging Face tokenizers' normalizers and pre-tokenizers, for the components LLM tokenizer.json files use
 * (used by HfBpeEncoder).
 */
/** Thrown (as a plain Error) when tokenizer.json uses a component this encoder does not implement. */
export class UnsupportedTokenizerError extends Error {
  override readonly name = "UnsupportedTokenizerError";
}

export const unsupported = (what: string): never => {
  throw new UnsupportedTokenizerError(what);
};

/** GPT-2's pre-tokenizer regex (ByteLevel with use_regex). */
export const GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/**
 * Rewrite an Oniguruma pattern from tokenizer.json for JavaScript: `(?i:…)` groups (no inline modifiers in
 * Node 20) become case classes. Possessive quantifiers and atomic groups have no JS form.
 */
export function toJsRegexSource(pattern: string): string {
  if (/\(\?>|(?<!\\)[+*?]\+|\{\d+(?:,\d*)?\}\+/.test(pattern)) unsupported(`regex with atomic groups or possessive quantifiers: ${pattern}`);
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith("(?i:", i)) {
      let depth = 1;
      let j = i + 4;
      let inner = "";
      for (; j < pattern.length && depth > 0; j++) {
        const ch = pattern[j]!;
        if (ch === "\\") {
          inner += ch + pattern[j + 1];
          j++;
          continue;
        }
        if (ch === "(") depth++;
        if (ch === ")" && --depth === 0) break;
        inner += ch;
      }
      if (/\[|\\[pP]/.test(inner)) unsupported(`case-insensitive group with classes: ${pattern}`);
      out += "(?:" + inner.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`) + ")";
      i = j;
    } else if (pattern[i] === "\\") {
      out += pattern[i]! + pattern[i + 1];
      i++;
    } else out += pattern[i];
  }
  return out;
}

/** Splits pieces of text into smaller pieces. */
export type PreTokenize = (pieces: string[]) => string[];

/** Split every piece at regex matches; `behavior` as in tokenizers' SplitDelimiterBehavior. */
function splitBy(re: RegExp, behavior: string, invert: boolean): PreTokenize {
  if (invert) unsupported("Split with invert");
  return (pieces) => {
    const out: string[] = [];
    for (const p of pieces) {
      const spans: { s: number; e: number; m: boolean }[] = [];
      let last = 0;
      re.lastIndex = 0;
      for (let m = re.exec(p); m; m = re.exec(p)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        if (m.index > last) spans.push({ s: last, e: m.index, m: false });
        spans.push({ s: m.index, e: m.index + m[0].length, m: true });
        last = m.index + m[0].length;
      }
      if (last < p.length) spans.push({ s: last, e: p.length, m: false });
      const merged: string[] = [];
      for (let k = 0; k < spans.length; k++) {
        const sp = spans[k]!;
        const text = p.slice(sp.s, sp.e);
        if (behavior === "Isolated") merged.push(text);
        else if (behavior === "Removed") {
          if (!sp.m) merged.push(text);
        } else if (behavior === "MergedWithPrevious") {
          if (sp.m && merged.length > 0 && !spans[k - 1]!.m) merged[merged.length - 1] += text;
          else merged.push(text);
        } else if (behavior === "MergedWithNext") {
          if (sp.m && k + 1 < spans.length && !spans[k + 1]!.m) {
            merged.push(text + p.slice(spans[k + 1]!.s, spans[k + 1]!.e));
            k++;
          } else merged.push(text);
        } else if (behavior === "Contiguous") {
          if (k > 0 && spans[k - 1]!.m === sp.m && sp.m) merged[merged.length - 1] += text;
          else merged.push(text);
        } else unsupported(`Split behavior ${behavior}`);
      }
      out.push(...merged);
    }
    return out;
  };
}

/** A pre_tokenizer object → function; byte-level output uses `byteMap`. */
export function buildPreTokenizer(pt: unknown, byteMap: string[]): PreTokenize {
  if (pt === null || pt === undefined) return (p) => p;
  if (!isObject(pt)) return unsupported("pre_tokenizer");
  switch (pt.type) {
    case "Sequence": {
      const steps = (Array.isArray(pt.pretokenizers) ? pt.pretokenizers : []).map((x) => buildPreTokenizer(x, byteMap));
      return (p) => steps.reduce((acc, f) => f(acc), p);
    }
    case "Split": {
      const pat = isObject(pt.pattern) ? pt.pattern : {};
      const source = typeof pat.Regex === "string" ? toJsRegexSource(pat.Regex) : typeof pat.String === "string" ? pat.String.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : unsupported("Split pattern");
      return splitBy(new RegExp(source, "gu"), String(pt.behavior), pt.invert === true);
    }
    case "Digits":
      return splitBy(pt.individual_digits === true ? /\p{N}/gu : /\p{N}+/gu, "Isolated", false);
    case "ByteLevel": {
      const regex = pt.use_regex === false ? undefined : splitBy(new RegExp(GPT2_REGEX, "gu"), "Isolated", false);
      return (pieces) => {
        let ps = pt.add_prefix_space === true ? pieces.map((p) => (p.startsWith(" ") ? p : " " + p)) : pieces;
        if (regex) ps = regex(ps);
        return ps.map((p) => [...Buffer.from(p, "utf8")].map((b) => byteMap[b]!).join(""));
      };
    }
    default:
      return unsupported(`pre_tokenizer ${String(pt.type)}`);
  }
}

/** A normalizer object → function. */
export function buildNormalizer(n: unknown): (s: string) => string {
  if (n === null || n === undefined) return (s) => s;
  if (!isObject(n)) return unsupported("normalizer");
  switch (n.type) {
    case "Sequence": {
      const steps = (Array.isArray(n.normalizers) ? n.normalizers : []).map(buildNormalizer);
      return (s) => steps.reduce((acc, f) => f(acc), s);
    }
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = n.type;
      return (s) => s.normalize(form);
    }
    case "Lowercase":
      return (s) => s.toLowerCase();
    case "Prepend":
      return (s) => (s === "" ? s : String(n.prepend) + s);
    case "Replace": {
      const pat = isObject(n.pattern) ? n.pattern : {};
      const content = String(n.content ?? "");
      if (typeof pat.String === "string") {
        const from = pat.String;
        return (s) => s.replaceAll(from, content);
      }
      if (typeof pat.Regex === "string") {
        const re = new RegExp(toJsRegexSource(pat.Regex), "gu");
        return (s) => s.replace(re, () => content);
      }
      return unsupported("Replace pattern");
    }
    default:
      return unsupported(`normalizer ${String(n.type)}`);
  }
}


/**
 * gguf-py Metadata's name heuristics: split a Hugging Face model id ("org/Name-7B-Instruct-v0.3") into
 * basename, size label, fine-tune and version, and title-case names the way Python's str.title() does.
 */
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;
const isLowerPy = (w: string): boolean => CASED.test(w) && w === w.toLowerCase() && [...w].every((ch) => !/\p{Lu}|\p{Lt}/u.test(ch));

/** Python `str.title()`: upper-case a cased letter after an uncased character, lower-case the rest. */
function pyTitle(w: string): string {
  let out = "";
  let prevCased = false;
  for (const ch of w) {
    const cased = CASED.test(ch);
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

/** `Metadata.id_to_title`. */
export function idToTitle(s: string): string {
  return s.trim().replaceAll("-", " ").split(/\s+/).filter(Boolean)
    .map((w) => (isLowerPy(w) && !/^(v\d+(?:\.\d+)*|\d.*)$/.test(w) ? pyTitle(w) : w)).join(" ");
}

/** Parts of a model id. */
export interface IdComponents {
  fullName?: string;
  org?: string;
  basename?: string;
  finetune?: string;
  version?: string;
  sizeLabel?: string;
}

const isDecimal = (c: string | undefined): boolean => c !== undefined && /^\p{Nd}$/u.test(c);
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^\p{L}$/u.test(c);

/** `Metadata.get_model_id_components`: split "org/Name-7B-Instruct-v0.3" into its parts. */
export function getModelIdComponents(modelId: string | undefined, totalParams = 0): IdComponents {
  if (modelId === undefined) return {};
  if (modelId.includes(" ")) return { fullName: modelId };
  let org: string | undefined;
  let full: string;
  const slash = modelId.indexOf("/");
  if (slash >= 0) {
    org = modelId.slice(0, slash);
    full = modelId.slice(slash + 1);
  } else full = modelId;
  if (org !== undefined && org.length > 0 && org[0] === ".") org = undefined;

  const parts = full.split("-").filter((p) => p.length > 0);
  const types = parts.map(() => new Set<string>());
  parts.forEach((part, i) => {
    if (/^(?:v|iter)?\d+(?:[.]\d+)*$/i.test(part)) types[i]!.add("version");
    else if (/^(?:i?q\d(?:_\w)*|b?fp?(?:16|32))$/i.test(part)) {
      types[i]!.add("type");
      parts[i] = part.toUpperCase();
    } else if (i > 0 && /^(?:(?:[A]|\d+[x])?\d+(?:[._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl)$/i.test(part)) {
      let p = part.replaceAll("_", ".");
      if (isDecimal(p[p.length - 1])) p = p.slice(0, -2) + "." + p[p.length - 1] + p[p.length - 2];
      if (p.length > 1 && isDecimal(p[p.length - 2]) && "kmbt".includes(p[p.length - 1]!)) p = p.slice(0, -1) + p[p.length - 1]!.toUpperCase();
      if (totalParams !== 0) {
        const mant = p.slice(0, -1);
        const exp = " KMBT".indexOf(p[p.length - 1]!);
        if (/^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(mant)) {
          const label = Number(mant) * Math.pow(1000, exp);
          if ((totalParams < 0 && label < Math.floor(Math.abs(totalParams) / 8)) || (totalParams > 0 && Math.abs(label - totalParams) > Math.floor((7 * totalParams) / 8))) {
            types[i]!.add("finetune");
            p = p.slice(0, -1) + p[p.length - 1]!.toLowerCase();
          }
        }
      }
      if (types[i]!.size === 0) types[i]!.add("size_label");
      parts[i] = p;
    } else if (i > 0 && /^(?:chat|instruct|vision|lora)$/i.test(part)) {
      types[i]!.add(totalParams < 0 && part.toLowerCase() === "lora" ? "type" : "finetune");
    }
  });
  if (parts.some((n, i) => types[i]!.has("size_label") && [...n].some(isDecimal))) {
    parts.forEach((n, i) => {
      if (types[i]!.has("size_label") && [...n].every(isAlpha)) types[i]!.delete("size_label");
    });
  }
  let atStart = true;
  parts.forEach((part, i) => {
    const t = types[i]!;
    if (atStart && ((t.size === 0 && isAlpha(part[0])) || t.has("version"))) t.add("basename");
    else {
      atStart = false;
      if (t.size === 0) t.add("finetune");
    }
  });
  for (let i = parts.length - 1; i >= 0; i--) {
    const t = types[i]!;
    if (t.has("basename") && t.size > 1) t.delete("basename");
    else break;
  }
  const join = (pred: (t: Set<string>) => boolean, dedupe = false): string | undefined => {
    let list = parts.filter((_, i) => pred(types[i]!));
    if (dedupe) list = [...new Set(list)];
    return list.length > 0 ? list.join("-") : undefined;
  };
  let base = join((t) => t.has("basename"));
  const size = join((t) => t.has("size_label"), true);
  const finetune = join((t) => t.has("finetune"));
  const version = join((t) => t.has("version") && !t.has("basename"));
  if (size === undefined && finetune === undefined && version === undefined) base = undefined;
  return { fullName: full, org, basename: base, finetune, version, sizeLabel: size };
}


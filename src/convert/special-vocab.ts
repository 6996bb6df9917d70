import { readdir } from "node:fs/promises";
import { readTextQuietly } from "../formats/quiet-read.js";
import { basename, join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { isObject, jsonReaderOnce, type JsonObject, type JsonReader } from "./hf-config.js";

/** A named chat template (tokenizer_config may hold a list of them). */
export interface NamedChatTemplate {
  readonly name: string;
  readonly template: string;
}

/** Special-token settings read from tokenizer.json, tokenizer_config.json and config.json. */
export interface SpecialVocab {
  merges: string[];
  /** type (bos, eos, unk, sep, pad, cls, mask, eot, eom…) → id, in insertion order. */
  readonly specialTokenIds: Map<string, number>;
  /** bos/eos/sep… → add_*_token, in insertion order. */
  readonly addSpecialToken: Map<string, boolean>;
  chatTemplate: string | NamedChatTemplate[] | undefined;
  normalizerLowercase: boolean | undefined;
  normalizerStripAccents: boolean | undefined;
  /** Non-fatal oddities (out-of-range ids, unknown template tokens). */
  readonly warnings: string[];
}

export interface SpecialVocabOptions {
  /** Read merges from tokenizer.json (else merges.txt). @default false */
  readonly loadMerges?: boolean;
  /** @default ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] */
  readonly specialTokenTypes?: readonly string[];
  /** Ids at or above this are skipped. */
  readonly nVocab?: number;
}

const DEFAULT_TYPES = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];

/**
 * Port of gguf-py's `SpecialVocab` (gguf/vocab.py): merges (string or `[a, b]` pair form, spaces inside a
 * part re-encoded as U+0120), special token ids from tokenizer_config `*_token` looked up by content in
 * tokenizer.json `added_tokens`, add_bos/add_eos/add_sep from the `TemplateProcessing` / `RobertaProcessing`
 * post-processor and tokenizer_config `add_*_token`, then config.json `*_token_id` for types still unset
 * (integers only), chat template from tokenizer_config, chat_template.jinja (+ additional_chat_templates) or
 * chat_template.json, and Lowercase / StripAccents normalizer flags.
 */
export async function loadSpecialVocab(dir: string, options: SpecialVocabOptions = {}, json: JsonReader = jsonReaderOnce(dir)): Promise<SpecialVocab> {
  const sv: SpecialVocab = {
    merges: [],
    specialTokenIds: new Map(),
    addSpecialToken: new Map(),
    chatTemplate: undefined,
    normalizerLowercase: undefined,
    normalizerStripAccents: undefined,
    warnings: [],
  };
  let types = [...(options.specialTokenTypes ?? DEFAULT_TYPES)];
  const setSpecial = (typ: string, tid: unknown): void => {
    if (typeof tid !== "number" || !Number.isInteger(tid)) return;
    if (tid < 0) throw new CortexError("FMT_INVALID", `${dir}: invalid value for special token type ${typ}: ${tid}`);
    if (options.nVocab === undefined || tid < options.nVocab) {
      if (!sv.specialTokenIds.has(typ)) sv.specialTokenIds.set(typ, tid);
      return;
    }
    sv.warnings.push(`special token type ${typ}, id ${tid} out of range, must be under ${options.nVocab} - skipping`);
  };

  // tokenizer.json + tokenizer_config.json
  const tokenizer = await json("tokenizer.json");
  let addedTokens: JsonObject[] = [];
  if (tokenizer) {
    if (options.loadMerges) sv.merges = parseMerges(isObject(tokenizer.model) ? tokenizer.model.merges : undefined, join(dir, "tokenizer.json"));
    if (isObject(tokenizer.normalizer)) parseNormalizer(sv, tokenizer.normalizer);
    addedTokens = Array.isArray(tokenizer.added_tokens) ? tokenizer.added_tokens.filter(isObject) : [];
  }
  const tcRaw = await json("tokenizer_config.json");
  // Python tests the dict's truthiness: an empty tokenizer_config.json counts as none.
  const tc = tcRaw && Object.keys(tcRaw).length > 0 ? tcRaw : undefined;
  if (tokenizer) types = parsePostProcessor(sv, tokenizer, tc, types);
  if (tc) {
    sv.chatTemplate = await loadChatTemplate(dir, tc, sv, json);
    for (const typ of types) {
      const add = tc[`add_${typ}_token`];
      if (typeof add === "boolean") sv.addSpecialToken.set(typ, add);
      const entry = tc[`${typ}_token`];
      let content: string;
      if (typeof entry === "string") content = entry;
      else if (isObject(entry) && typeof entry.content === "string") content = entry.content;
      else continue;
      const found = addedTokens.find((t) => t.content === content);
      setSpecial(typ, found?.id);
    }
  }

  // config.json fills types still unset
  const config = await json("config.json");
  if (config) {
    for (const typ of types) {
      let id = config[`${typ}_token_id`];
      if ((id === undefined || id === null) && isObject(config.text_config)) id = config.text_config[`${typ}_token_id`];
      setSpecial(typ, id);
    }
  }
  if (options.loadMerges && sv.merges.length === 0) sv.merges = await readMergesTxt(dir, sv);
  return sv;
}

function parseMerges(merges: unknown, file: string): string[] {
  if (!Array.isArray(merges) || merges.length === 0) return [];
  // gguf-py decides the form by the first entry and then trusts the rest (a stray entry is a Python TypeError
  // there); every entry is checked here so that one becomes FMT_INVALID naming it.
  const bad = (i: number) => new CortexError("FMT_INVALID", `${file}: merge ${i} is ${JSON.stringify(merges[i])?.slice(0, 80)}, not the form of merge 0`);
  if (typeof merges[0] === "string") {
    merges.forEach((m, i) => {
      if (typeof m !== "string") throw bad(i);
    });
    return merges as string[];
  }
  if (Array.isArray(merges[0]) && merges[0].length === 2 && typeof merges[0][0] === "string") {
    // transformers ≥ 4.45 pair form: a literal space inside a part becomes U+0120 (chr(ord(" ") + 256)).
    return merges.map((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") throw bad(i);
      return pair.map((part: string) => part.replaceAll(" ", "\u0120")).join(" ");
    });
  }
  throw new CortexError("FMT_INVALID", `${file}: unknown tokenizer merges format`);
}

async function readMergesTxt(dir: string, sv: SpecialVocab): Promise<string[]> {
  let text: string;
  try {
    text = await readTextQuietly(join(dir, "merges.txt"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let start = 0;
  if ((lines[0] ?? "").trim().startsWith("#")) start = 1;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) {
      sv.warnings.push(`merges.txt: line ${i + 1}: entry malformed, ignoring`);
      continue;
    }
    out.push(`${parts[0]} ${parts[1]}`);
  }
  return out;
}

function parseNormalizer(sv: SpecialVocab, n: JsonObject): void {
  if (n.type === "Lowercase") sv.normalizerLowercase = true;
  else if (n.type === "StripAccents") sv.normalizerStripAccents = true;
  else if (n.type === "BertNormalizer") {
    if ("lowercase" in n) sv.normalizerLowercase = n.lowercase as boolean;
    if ("strip_accents" in n) sv.normalizerStripAccents = n.strip_accents as boolean;
  } else if (n.type === "Sequence" && Array.isArray(n.normalizers)) {
    for (const x of n.normalizers) if (isObject(x)) parseNormalizer(sv, x);
  }
}

const specialId = (item: unknown): string | undefined => {
  if (!isObject(item) || !isObject(item.SpecialToken)) return undefined;
  const id = item.SpecialToken.id;
  return typeof id === "string" && id !== "" ? id : undefined;
};
const sequenceId = (item: unknown): unknown => (isObject(item) && isObject(item.Sequence) ? item.Sequence.id : undefined);

/** The crude TemplateProcessing / RobertaProcessing parse of `_try_load_from_tokenizer_json`. Mutates `tc`. */
function parsePostProcessor(sv: SpecialVocab, tokenizer: JsonObject, tc: JsonObject | undefined, typesIn: string[]): string[] {
  let types = typesIn;
  // Python reads these as plain values; a dict-valued bos_token is compared as a dict (never equal to a str).
  const get = (k: string): unknown => tc?.[k];
  let bos = get("bos_token");
  let cls = get("cls_token");
  let eos = get("eos_token");
  let sep = get("sep_token");
  if (!bos && cls && tc) tc.bos_token = bos = cls;
  if (!eos && sep && tc) tc.eos_token = eos = sep;
  const pp = tokenizer.post_processor;
  if (!isObject(pp)) return types;
  const processors = Array.isArray(pp.processors) ? pp.processors.filter(isObject) : [pp];
  for (const proc of processors) {
    if (proc.type === "RobertaProcessing") {
      sv.addSpecialToken.set("bos", true).set("eos", true).set("sep", true);
      if (!cls && tc) tc.cls_token = cls = Array.isArray(proc.cls) ? proc.cls[0] : bos;
      if (!sep && tc) tc.sep_token = sep = Array.isArray(proc.sep) ? proc.sep[0] : eos;
      continue;
    }
    if (proc.type !== "TemplateProcessing") continue;
    const single = Array.isArray(proc.single) ? proc.single : [];
    let pair = Array.isArray(proc.pair) ? proc.pair : [];
    let first: string | undefined;
    let last: string | undefined;
    if (single.length > 1) {
      first = specialId(single[0]);
      if (first) {
        if (!tc) bos = first;
        else if (first !== bos && first !== cls) {
          if (!bos) tc.bos_token = bos = first;
          if (!cls) tc.cls_token = cls = first;
        }
        sv.addSpecialToken.set("bos", first === bos || first === cls);
        if (first !== bos && first !== cls) sv.warnings.push(`unknown leading special token "${first}" in TemplateProcessing<single>`);
      }
      last = specialId(single[single.length - 1]);
      if (last) {
        if (!tc) eos = last;
        else if (last !== eos) {
          if (!types.includes("eot")) {
            types = [...types, "eot"];
            tc.eot_token = eos;
          } else if (!types.includes("eom")) {
            types = [...types, "eom"];
            tc.eom_token = eos;
          } else sv.warnings.push(`overriding EOS token with "${last}" without EOT/EOM fallback`);
          tc.eos_token = eos = last;
        }
        sv.addSpecialToken.set("eos", last === eos);
      }
    }
    if (pair.length > 0) {
      const start = first && specialId(pair[0]) === first ? 1 : 0;
      const stop = last && specialId(pair[pair.length - 1]) === last ? pair.length - 1 : pair.length;
      pair = pair.slice(start, stop);
      if (pair.length > 0) {
        const a = sequenceId(pair[0]);
        const b = sequenceId(pair[pair.length - 1]);
        if (a === "A" && b === "B" && (pair = pair.slice(1, -1)).length > 0) {
          let addSep = false;
          const e1 = specialId(pair[0]);
          if (e1 && (e1 === sep || e1 === eos) && !last) addSep = true;
          if (pair.length === 2) {
            const e2 = specialId(pair[1]);
            if (e2 && (e2 === sep || e2 === eos)) addSep = true;
          }
          sv.addSpecialToken.set("sep", addSep);
          if (addSep && !sep && tc) tc.sep_token = eos;
        }
      }
    }
  }
  return types;
}

async function loadChatTemplate(dir: string, tc: JsonObject, sv: SpecialVocab, json: JsonReader): Promise<string | NamedChatTemplate[] | undefined> {
  let alt: string | NamedChatTemplate[] | undefined;
  const jinja = await readText(join(dir, "chat_template.jinja"));
  if (jinja !== undefined) {
    alt = jinja;
    let extra: string[] = [];
    try {
      extra = (await readdir(join(dir, "additional_chat_templates"))).filter((f) => f.endsWith(".jinja")).sort();
    } catch {
      extra = [];
    }
    if (extra.length > 0) {
      const list: NamedChatTemplate[] = [{ name: "default", template: jinja }];
      for (const f of extra) list.push({ name: basename(f, ".jinja"), template: (await readText(join(dir, "additional_chat_templates", f)))! });
      alt = list;
    }
  } else {
    const file = await json("chat_template.json");
    if (file && typeof file.chat_template === "string") alt = file.chat_template;
  }
  const ct = "chat_template" in tc ? tc.chat_template : alt;
  if (ct === undefined || ct === null) return undefined;
  if (typeof ct === "string") return ct;
  if (Array.isArray(ct)) {
    return ct.filter(isObject).map((c) => ({ name: typeof c.name === "string" ? c.name : "", template: typeof c.template === "string" ? c.template : (undefined as unknown as string) }));
  }
  sv.warnings.push("bad type for chat_template field in tokenizer_config.json - ignoring");
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readTextQuietly(path);
  } catch (err) {
    // Absent is "no template"; a FIFO, an oversized or unreadable file is an error, not silently skipped.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

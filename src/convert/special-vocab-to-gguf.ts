import type { GgufKvList } from "./gguf-kv-list.js";
import type { NamedChatTemplate, SpecialVocab } from "./special-vocab.js";

const SPECIAL_ID_KEYS: Record<string, string> = {
  bos: "tokenizer.ggml.bos_token_id",
  eos: "tokenizer.ggml.eos_token_id",
  unk: "tokenizer.ggml.unknown_token_id",
  sep: "tokenizer.ggml.seperator_token_id",
  pad: "tokenizer.ggml.padding_token_id",
  mask: "tokenizer.ggml.mask_token_id",
  eot: "tokenizer.ggml.eot_token_id",
  eom: "tokenizer.ggml.eom_token_id",
};
const ADD_KEYS: Record<string, string> = { bos: "tokenizer.ggml.add_bos_token", eos: "tokenizer.ggml.add_eos_token", sep: "tokenizer.ggml.add_sep_token" };

/** `SpecialVocab.add_to_gguf`: merges, ids, add_* flags, chat template(s), normalizer flags (types without a GGUF key are skipped). */
export function addSpecialVocabToGguf(sv: SpecialVocab, kv: GgufKvList): void {
  if (sv.merges.length > 0) kv.stringArray("tokenizer.ggml.merges", sv.merges);
  for (const [typ, id] of sv.specialTokenIds) {
    const key = SPECIAL_ID_KEYS[typ];
    if (key) kv.uint32(key, id);
  }
  for (const [typ, v] of sv.addSpecialToken) {
    const key = ADD_KEYS[typ];
    if (key) kv.bool(key, v);
  }
  if (sv.chatTemplate !== undefined) addChatTemplate(kv, sv.chatTemplate);
  if (sv.normalizerLowercase !== undefined) kv.bool("tokenizer.ggml.normalizer.lowercase", sv.normalizerLowercase);
  if (sv.normalizerStripAccents !== undefined) kv.bool("tokenizer.ggml.normalizer.strip_accents", sv.normalizerStripAccents);
}

/** GGUFWriter.add_chat_template: a string, or named templates (`default` → tokenizer.chat_template). */
export function addChatTemplate(kv: GgufKvList, value: string | readonly NamedChatTemplate[]): void {
  if (typeof value === "string") {
    kv.string("tokenizer.chat_template", value);
    return;
  }
  let def: string | undefined;
  const names: string[] = [];
  for (const c of value) {
    const name = c.name.replace(/[^A-Za-z0-9]/g, "_");
    if (name && c.template !== undefined) {
      if (name === "default") def = c.template;
      else {
        if (!names.includes(name)) names.push(name);
        kv.string(`tokenizer.chat_template.${name}`, c.template);
      }
    }
  }
  if (names.length > 0) kv.stringArray("tokenizer.chat_templates", names);
  if (def !== undefined) kv.string("tokenizer.chat_template", def);
}

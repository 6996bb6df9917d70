import { readTextQuietly } from "../formats/quiet-read.js";
import { basename, join, resolve } from "node:path";
import { isObject, readJsonObject, type JsonObject } from "./hf-config.js";
import type { GgufKvList } from "./gguf-kv-list.js";
import { parseModelCardFrontMatter } from "./yaml-frontmatter.js";
import { getModelIdComponents, idToTitle } from "./model-id-components.js";
import { sizeLabel } from "./size-label.js";

/** Authorship and sampling metadata (gguf-py `Metadata`). */
export interface ModelMetadata {
  [key: string]: unknown;
  name?: string;
  author?: string;
  version?: string;
  organization?: string;
  finetune?: string;
  basename?: string;
  description?: string;
  quantized_by?: string;
  size_label?: string;
  url?: string;
  doi?: string;
  uuid?: string;
  repo_url?: string;
  source_url?: string;
  source_doi?: string;
  source_uuid?: string;
  source_repo_url?: string;
  license?: string | string[];
  license_name?: string;
  license_link?: string;
  base_models?: Record<string, string>[];
  datasets?: Record<string, string>[];
  tags?: string[];
  languages?: string[];
  sampling?: Record<string, number | string>;
}

export interface MetadataOptions {
  /** `--model-name`: wins over everything. */
  readonly modelName?: string;
  /** `--metadata` override file contents (keys as GGUF keys: "general.name", "general.tags"…). */
  readonly override?: Readonly<Record<string, unknown>>;
  /** Parameter count (sum of output tensor elements); 0 when unknown. */
  readonly totalParams: number;
}

const SAMPLING: readonly [string, string, "i" | "f" | "s"][] = [
  ["sequence", "sequence", "s"], ["top_k", "top_k", "i"], ["top_p", "top_p", "f"], ["min_p", "min_p", "f"],
  ["xtc_probability", "xtc_probability", "f"], ["xtc_threshold", "xtc_threshold", "f"], ["temperature", "temp", "f"],
  ["penalty_last_n", "penalty_last_n", "i"], ["penalty_repeat", "penalty_repeat", "f"], ["mirostat", "mirostat", "i"],
  ["mirostat_tau", "mirostat_tau", "f"], ["mirostat_eta", "mirostat_eta", "f"],
];

/**
 * Port of `gguf.Metadata.load` + the size-label step of `prepare_metadata`: model-card front matter, then
 * config.json `_name_or_path`, then the folder name, each through `get_model_id_components`; sampling
 * settings from generation_config.json; then the override object and `modelName`. The name falls back to the
 * folder name and the size label to the parameter count.
 */
export async function loadModelMetadata(dir: string, options: MetadataOptions): Promise<ModelMetadata> {
  const m: ModelMetadata = {};
  const card = await loadModelCard(dir);
  const config = (await readJsonObject(dir, "config.json").catch(() => undefined)) ?? {};
  const gen = await readJsonObject(dir, "generation_config.json").catch(() => undefined);
  applyHeuristics(m, card, config, basename(resolve(dir)), options.totalParams);
  if (gen) {
    const s: Record<string, number | string> = {};
    for (const [src, dst] of SAMPLING) {
      let v = gen[src];
      if (src === "penalty_repeat" && v === undefined) v = gen.repetition_penalty;
      if (typeof v === "number" || typeof v === "string") s[dst] = v;
    }
    if (Object.keys(s).length > 0) m.sampling = s;
  }
  const o = options.override ?? {};
  for (const [key, value] of Object.entries(o)) {
    if (key.startsWith("general.sampling.")) (m.sampling ??= {})[key.slice("general.sampling.".length)] = value as number;
    else if (key === "general.base_models") m.base_models = value as Record<string, string>[];
    else if (key === "general.datasets") m.datasets = value as Record<string, string>[];
    else if (key.startsWith("general.")) m[key.slice("general.".length).replaceAll(".", "_")] = value;
  }
  if (options.modelName !== undefined) m.name = options.modelName;
  if (m.name === undefined) m.name = basename(resolve(dir));
  if (m.size_label === undefined && options.totalParams > 0) m.size_label = sizeLabel(options.totalParams);
  return m;
}

async function loadModelCard(dir: string): Promise<JsonObject> {
  try {
    const text = await readTextQuietly(join(dir, "README.md"));
    return parseModelCardFrontMatter(text.replaceAll("- no\n", '- "no"\n'));
  } catch {
    return {};
  }
}

const setIfUnset = (m: ModelMetadata, key: string, v: unknown): void => {
  if (v !== undefined && m[key] === undefined) m[key] = v === null ? undefined : v;
};

function applyHeuristics(m: ModelMetadata, card: JsonObject, config: JsonObject, dirName: string, totalParams: number): void {
  const use = (key: string, cardKey: string): void => {
    if (cardKey in card && m[key] === undefined) m[key] = card[cardKey] ?? undefined;
  };
  const useArray = (key: string, cardKey: string): void => {
    const v = card[cardKey];
    if (v === undefined || v === null) return;
    const cur = (m[key] as unknown[] | undefined) ?? [];
    if (typeof v === "string") cur.push(v);
    else if (Array.isArray(v)) cur.push(...v);
    m[key] = cur;
  };
  for (const prefix of ["", "model_"]) {
    for (const k of ["name", "author", "version", "organization", "description", "finetune", "basename", "size_label"]) use(k, prefix + k);
    use("source_url", prefix + "url");
    use("source_doi", prefix + "doi");
    use("source_uuid", prefix + "uuid");
    use("source_repo_url", prefix + "repo_url");
  }
  use("author", "model_creator");
  use("basename", "model_type");
  const baseModel = card.base_model ?? card.base_models ?? card.base_model_sources;
  if ("base_model" in card || "base_models" in card || "base_model_sources" in card) {
    m.base_models ??= [];
    for (const id of typeof baseModel === "string" ? [baseModel] : Array.isArray(baseModel) ? baseModel : []) m.base_models.push(describeRef(id, totalParams));
  }
  const datasets = card.datasets ?? card.dataset ?? card.dataset_sources;
  if ("datasets" in card || "dataset" in card || "dataset_sources" in card) {
    m.datasets ??= [];
    for (const id of typeof datasets === "string" ? [datasets] : Array.isArray(datasets) ? datasets : []) m.datasets.push(describeRef(id, totalParams));
  }
  use("license", "license");
  use("license_name", "license_name");
  use("license_link", "license_link");
  useArray("tags", "tags");
  useArray("tags", "pipeline_tag");
  useArray("languages", "languages");
  useArray("languages", "language");

  const fromId = (id: string): void => {
    const c = getModelIdComponents(id, totalParams);
    if (c.fullName !== undefined) setIfUnset(m, "name", idToTitle(c.fullName));
    if (c.org !== undefined) setIfUnset(m, "organization", idToTitle(c.org));
    setIfUnset(m, "basename", c.basename);
    setIfUnset(m, "finetune", c.finetune);
    setIfUnset(m, "version", c.version);
    setIfUnset(m, "size_label", c.sizeLabel);
  };
  const nameOrPath = config._name_or_path;
  if (typeof nameOrPath === "string" && (nameOrPath.match(/\//g) ?? []).length <= 1) fromId(nameOrPath);
  fromId(dirName);
}

/** A base-model or dataset reference from the model card, as gguf-py describes it. */
function describeRef(id: unknown, totalParams: number): Record<string, string> {
  if (isObject(id)) return id as Record<string, string>;
  const out: Record<string, string> = {};
  if (typeof id !== "string") return out;
  if (/^(?:https?|ssh):\/\//.test(id)) {
    out.repo_url = id;
    const mm = id.includes("huggingface.co") ? /^https?:\/\/huggingface.co\/([^/]+\/[^/]+)$/.exec(id) : null;
    if (mm) {
      const c = getModelIdComponents(mm[1]!, totalParams);
      if (c.fullName !== undefined) out.name = idToTitle(c.fullName);
      if (c.org !== undefined) out.organization = idToTitle(c.org);
      if (c.version !== undefined) out.version = c.version;
    }
    return out;
  }
  const c = getModelIdComponents(id, totalParams);
  if (c.fullName !== undefined) out.name = idToTitle(c.fullName);
  if (c.org !== undefined) out.organization = idToTitle(c.org);
  if (c.version !== undefined) out.version = c.version;
  if (c.org !== undefined && c.fullName !== undefined) out.repo_url = `https://huggingface.co/${c.org}/${c.fullName}`;
  return out;
}

/** `Metadata.set_gguf_meta_model`: sampling, name, authorship, license, base models, datasets, tags, languages. */
export function writeModelMetadata(m: ModelMetadata, kv: GgufKvList): void {
  const s = m.sampling ?? {};
  for (const [, dst, t] of SAMPLING) {
    const v = s[dst];
    if (v === undefined) continue;
    const key = `general.sampling.${dst}`;
    if (t === "s") kv.string(key, String(v));
    else if (t === "i") kv.int32(key, Number(v));
    else kv.float32(key, Number(v));
  }
  kv.string("general.name", m.name ?? "");
  const str = (key: string, v: unknown): void => {
    if (typeof v === "string") kv.string(key, v);
  };
  str("general.author", m.author);
  str("general.version", m.version);
  str("general.organization", m.organization);
  str("general.finetune", m.finetune);
  str("general.basename", m.basename);
  str("general.description", m.description);
  str("general.quantized_by", m.quantized_by);
  str("general.size_label", m.size_label);
  if (m.license !== undefined) kv.string("general.license", Array.isArray(m.license) ? m.license.join(",") : String(m.license));
  str("general.license.name", m.license_name);
  str("general.license.link", m.license_link);
  str("general.url", m.url);
  str("general.doi", m.doi);
  str("general.uuid", m.uuid);
  str("general.repo_url", m.repo_url);
  str("general.source.url", m.source_url);
  str("general.source.doi", m.source_doi);
  str("general.source.uuid", m.source_uuid);
  str("general.source.repo_url", m.source_repo_url);
  const refs = (kind: "base_model" | "dataset", list: Record<string, string>[] | undefined): void => {
    if (list === undefined) return;
    kv.uint32(`general.${kind}.count`, list.length);
    list.forEach((e, i) => {
      for (const f of ["name", "author", "version", "organization", "description", "url", "doi", "uuid", "repo_url"]) {
        if (f in e) kv.string(`general.${kind}.${i}.${f}`, String(e[f]));
      }
    });
  };
  refs("base_model", m.base_models);
  refs("dataset", m.datasets);
  if (m.tags !== undefined) kv.stringArray("general.tags", m.tags.map(String));
  if (m.languages !== undefined) kv.stringArray("general.languages", m.languages.map(String));
}

import { readTextQuietly } from "../formats/quiet-read.js";
import { join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";

/** A JSON object read from a checkpoint folder. */
export type JsonObject = Record<string, unknown>;

/** A folder's JSON objects by file name (undefined when absent), as {@link readJsonObject} reads them. */
export type JsonReader = (name: string) => Promise<JsonObject | undefined>;

/**
 * A reader that reads and parses each file of `dir` once. One conversion asks for tokenizer.json twice and
 * tokenizer_config.json three times (vocabulary, special vocabulary, set_vocab's flags); each is megabytes of JSON
 * for a large vocabulary. The objects are shared between callers, which only read them.
 */
export function jsonReaderOnce(dir: string): JsonReader {
  const read = new Map<string, Promise<JsonObject | undefined>>();
  return (name) => {
    let p = read.get(name);
    if (!p) read.set(name, (p = readJsonObject(dir, name)));
    return p;
  };
}

/**
 * Read a JSON object from `dir/name`; undefined when the file is absent.
 * @throws CortexError FMT_INVALID naming the file when it is not a JSON object, not a regular file, or too large.
 */
export async function readJsonObject(dir: string, name: string): Promise<JsonObject | undefined> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readTextQuietly(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${path}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CortexError("FMT_INVALID", `${path}: must be a JSON object`);
  return parsed as JsonObject;
}

/**
 * Defaults transformers' config classes (4.57) fill in, for the keys convert_hf_to_gguf reads. The converter
 * loads hparams through `AutoConfig.from_pretrained(...).to_dict()`, so a key missing from config.json still
 * reaches the GGUF with the class default; plain JSON would drop it.
 */
const CONFIG_DEFAULTS: Record<string, JsonObject> = {
  llama: { max_position_embeddings: 2048, rms_norm_eps: 1e-6, rope_theta: 10000.0, head_dim: "derive" },
  mistral: { max_position_embeddings: 131072, rms_norm_eps: 1e-6, rope_theta: 10000.0, head_dim: "derive", sliding_window: 4096 },
  qwen2: { max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 10000.0 },
  qwen3: { max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 10000.0, head_dim: 128 },
  phi3: { max_position_embeddings: 4096, original_max_position_embeddings: 4096, rms_norm_eps: 1e-5, rope_theta: 10000.0 },
  gemma: { max_position_embeddings: 8192, rms_norm_eps: 1e-6, rope_theta: 10000.0, head_dim: 256 },
  gemma2: {
    max_position_embeddings: 8192, rms_norm_eps: 1e-6, rope_theta: 10000.0, head_dim: 256,
    attn_logit_softcapping: 50.0, final_logit_softcapping: 30.0, sliding_window: 4096,
  },
};

/** Checkpoint hyper-parameters as convert_hf_to_gguf sees them (`self.hparams`). */
export interface HfHparams {
  /** config.json as written (Metadata and SpecialVocab read the raw file). */
  readonly raw: JsonObject;
  /** Merged view: text_config lifted to the root, transformers defaults applied. */
  readonly params: JsonObject;
  /** `architectures[0]` (text_config's when present). */
  readonly architecture: string;
}

/**
 * Build the hparams view from config.json: the architecture (`architectures[0]`, or text_config's), the
 * text_config keys moved to the root (TextModel.__init__), and num_key_value_heads / head_dim / rope_theta /
 * eps / context defaults as transformers would add them.
 * @throws CortexError CONV_UNSUPPORTED_ARCH when no architecture is named.
 */
export function buildHparams(raw: JsonObject, configPath: string): HfHparams {
  let params: JsonObject = { ...raw };
  for (const alias of ["llm_config", "lm_config", "language_config"]) {
    if (isObject(params[alias])) params.text_config = params[alias];
  }
  const textConfig = isObject(params.text_config) ? params.text_config : undefined;
  const archList = (textConfig && Array.isArray(textConfig.architectures) ? textConfig.architectures : undefined) ?? (Array.isArray(raw.architectures) ? raw.architectures : undefined);
  const architecture = archList && typeof archList[0] === "string" ? archList[0] : undefined;
  if (!architecture) throw new CortexError("CONV_UNSUPPORTED_ARCH", `${configPath}: no "architectures" entry, so the model architecture is unknown`);
  if (textConfig) params = { ...params, ...textConfig };

  const modelType = typeof params.model_type === "string" ? params.model_type : "";
  const defaults = CONFIG_DEFAULTS[modelType] ?? {};
  if (params.num_key_value_heads === undefined || params.num_key_value_heads === null) {
    if (typeof params.num_attention_heads === "number" && modelType in CONFIG_DEFAULTS) params.num_key_value_heads = params.num_attention_heads;
  }
  for (const [k, v] of Object.entries(defaults)) {
    if (params[k] !== undefined && params[k] !== null) continue;
    if (v === "derive") {
      if (typeof params.hidden_size === "number" && typeof params.num_attention_heads === "number") params[k] = Math.floor(params.hidden_size / params.num_attention_heads);
    } else params[k] = v;
  }
  return { raw, params, architecture };
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `find_hparam`: the value of the first key present (null counts as present, as in Python's `in`). */
export function findHparam(params: JsonObject, keys: readonly string[]): unknown {
  for (const k of keys) if (k in params) return params[k];
  return undefined;
}

/** A required integer hyper-parameter. @throws CortexError FMT_INVALID naming the keys. */
export function requireInt(params: JsonObject, keys: readonly string[], configPath: string): number {
  const v = findHparam(params, keys);
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new CortexError("FMT_INVALID", `${configPath}: needs a non-negative integer for ${keys.join(" / ")}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** An optional number (undefined when absent or null). */
export function optNumber(params: JsonObject, keys: readonly string[]): number | undefined {
  const v = findHparam(params, keys);
  return typeof v === "number" ? v : undefined;
}

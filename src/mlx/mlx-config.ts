/**
 * config.json as mlx-lm writes it for a converted/quantized model, and recognition of checkpoints that are
 * already MLX (formats.md §2.6, §3; ml-explore/mlx-lm mlx_lm/utils.py `quantize_model`, `save_config`,
 * `load_config`, `load_model`).
 *
 * - `quantize_model` deep-copies the HF config and sets `quantization = {group_size, bits, mode}` followed by
 *   per-layer entries keyed by module path; `quantization_config` is set to the same object (overwriting an
 *   HF `quantization_config`). With an existing `quantization` the entries are added to it instead.
 * - `save_config` drops `_name_or_path` and `vision_config`, re-asserts `quantization_config = quantization`,
 *   sorts the top-level keys (nested objects keep their order) and writes `json.dump(indent=4)`, ASCII-escaped,
 *   no trailing newline.
 */
import { CortexError } from "../errors/cortex-error.js";
import { pythonJsonDumps } from "../formats/python-json.js";
import type { QuantizationPlan, QuantParams } from "./quantize-rules.js";

export interface MlxConfigOptions {
  /** The quantization plan when quantizing (`-q`). */
  plan?: QuantizationPlan;
  /** `-d`: drop `quantization` and `quantization_config`. */
  dequantize?: boolean;
  /** generation_config.json, when present: newer `load_config` copies a truthy `eos_token_id` from it. */
  generationConfig?: Record<string, unknown>;
}

/** The config.json object mlx-lm would write (keys sorted as `save_config` sorts them). */
export function buildMlxConfig(hfConfig: Record<string, unknown>, options: MlxConfigOptions = {}): Record<string, unknown> {
  const config = structuredClone(hfConfig);
  const eos = options.generationConfig?.["eos_token_id"];
  if (isTruthy(eos)) config["eos_token_id"] = structuredClone(eos);

  if (options.plan) {
    const { plan } = options;
    let quantization: Record<string, unknown>;
    if (plan.fineGrained) {
      const existing = config["quantization"];
      if (!isPlainObject(existing)) {
        throw new CortexError("FMT_INVALID", "config.json: the plan extends an existing quantization, but the config has no quantization object");
      }
      quantization = existing;
    } else {
      quantization = { ...plan.defaults };
    }
    for (const layer of plan.layers) if (layer.configEntry) quantization[layer.path] = { ...layer.configEntry };
    config["quantization"] = quantization;
  }
  if (options.dequantize) {
    delete config["quantization"];
    delete config["quantization_config"];
  }

  delete config["_name_or_path"];
  delete config["vision_config"];
  // Python writes `quantization_config` as a second copy of the same dict.
  if ("quantization" in config) config["quantization_config"] = structuredClone(config["quantization"]);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) sorted[key] = config[key];
  return sorted;
}

/**
 * Text of config.json as `json.dump(config, f, indent=4)` writes it (no trailing newline). Floats that
 * Python prints as `1e-05` or `8.0` come out as JSON.stringify prints them (`0.00001`, `8`): same values for
 * every JSON parser, different bytes.
 */
export function serializeMlxConfig(config: Record<string, unknown>): string {
  return pythonJsonDumps(config, { indent: 4 });
}

/** A parsed `quantization` object. */
export interface MlxQuantization {
  groupSize: number;
  bits: number;
  mode: string;
  /** Per-layer entries: params, or the bare `true`/`false` some mid-2025 mlx-lm versions wrote. */
  perLayer: Map<string, QuantParams | boolean>;
}

const TOP_LEVEL_KEYS = new Set(["group_size", "bits", "mode"]);

/**
 * Parse config.json `quantization` (or a translated legacy `quantization_config`).
 * @throws CortexError FMT_INVALID naming the field when it is malformed
 */
export function parseMlxQuantization(value: unknown, field = "config.json quantization"): MlxQuantization {
  if (!isPlainObject(value)) throw new CortexError("FMT_INVALID", `${field}: expected an object, got ${describe(value)}`);
  const groupSize = value["group_size"];
  const bits = value["bits"];
  const mode = value["mode"] ?? "affine";
  if (!isPositiveInt(groupSize)) throw new CortexError("FMT_INVALID", `${field}.group_size: expected a positive integer, got ${describe(groupSize)}`);
  if (!isPositiveInt(bits)) throw new CortexError("FMT_INVALID", `${field}.bits: expected a positive integer, got ${describe(bits)}`);
  if (typeof mode !== "string") throw new CortexError("FMT_INVALID", `${field}.mode: expected a string, got ${describe(mode)}`);
  const perLayer = new Map<string, QuantParams | boolean>();
  for (const [key, entry] of Object.entries(value)) {
    if (TOP_LEVEL_KEYS.has(key)) continue;
    if (typeof entry === "boolean") {
      perLayer.set(key, entry);
      continue;
    }
    if (!isPlainObject(entry)) throw new CortexError("FMT_INVALID", `${field}["${key}"]: expected an object or a boolean, got ${describe(entry)}`);
    const g = entry["group_size"] ?? groupSize;
    const b = entry["bits"] ?? bits;
    const m = entry["mode"] ?? mode;
    if (!isPositiveInt(g) || !isPositiveInt(b) || typeof m !== "string") {
      throw new CortexError("FMT_INVALID", `${field}["${key}"]: group_size/bits/mode malformed: ${JSON.stringify(entry)}`);
    }
    perLayer.set(key, { group_size: g, bits: b, mode: m as "affine" });
  }
  return { groupSize, bits, mode, perLayer };
}

/**
 * mlx-lm's loader rule for one module: the per-layer entry when the path has one (`true` → top-level
 * parameters, `false` → not quantized); otherwise quantized with the top-level parameters iff
 * `<path>.scales` exists. Returns null for an unquantized module.
 */
export function quantizationForModule(q: MlxQuantization, path: string, hasScales: boolean): QuantParams | null {
  const entry = q.perLayer.get(path);
  const defaults: QuantParams = { group_size: q.groupSize, bits: q.bits, mode: q.mode as "affine" };
  if (entry !== undefined) return entry === true ? defaults : entry === false ? null : entry;
  return hasScales ? defaults : null;
}

/** HF `quantization_config.quant_method`s that mlx-lm's loader translates (bitnet, mxfp4, awq, gptq, …). */
export const MLX_TRANSLATED_QUANT_METHODS = ["bitnet", "mxfp4", "compressed-tensors", "awq", "gptq"] as const;

export interface MlxDetection {
  /**
   * `mlx-quantized`: config has `quantization`, or `.scales` tensors; `mlx`: written by MLX (safetensors
   * `{"format": "mlx"}`), unquantized; `hf-prequantized`: HF `quantization_config.quant_method`; `hf`: none.
   */
  kind: "mlx-quantized" | "mlx" | "hf-prequantized" | "hf";
  /** True for `mlx-quantized` and `mlx`: conversion is a plain re-save, quantizing adds per-layer entries. */
  alreadyMlx: boolean;
  quantization?: MlxQuantization;
  /** The HF quant_method, for `hf-prequantized`. */
  quantMethod?: string;
  /** Whether mlx-lm can load it as it is (its loader translates the methods in MLX_TRANSLATED_QUANT_METHODS). */
  mlxLoadable: boolean;
  /** Human-readable reasons, for logs and errors. */
  evidence: string[];
}

/**
 * Is this checkpoint already MLX? Decided as mlx-lm does: a `quantization` key in config.json (what its
 * loader keys on); else `.scales` next to `.weight` tensors (MLX layout, but mlx-lm needs the config key to
 * load it); else safetensors metadata `{"format": "mlx"}` (MLX wrote it; mlx-vlm uses this, not mlx-lm);
 * else an HF `quantization_config.quant_method` (pre-quantized HF checkpoint).
 * @throws CortexError FMT_INVALID when `quantization` is present but malformed
 */
export function detectMlxCheckpoint(input: {
  config: Record<string, unknown>;
  tensorNames?: Iterable<string>;
  safetensorsMetadata?: Record<string, string>;
}): MlxDetection {
  const { config } = input;
  const evidence: string[] = [];
  if ("quantization" in config && config["quantization"] !== null) {
    const quantization = parseMlxQuantization(config["quantization"]);
    evidence.push(`config.json has quantization (bits ${quantization.bits}, group size ${quantization.groupSize}, mode ${quantization.mode})`);
    return { kind: "mlx-quantized", alreadyMlx: true, quantization, mlxLoadable: true, evidence };
  }
  const names = new Set(input.tensorNames ?? []);
  const scaled = [...names].filter((n) => n.endsWith(".scales") && names.has(n.slice(0, -".scales".length) + ".weight"));
  if (scaled.length > 0) {
    evidence.push(`${scaled.length} tensors have MLX .scales (e.g. ${scaled[0]}) but config.json has no quantization key, which mlx-lm needs to load them`);
    return { kind: "mlx-quantized", alreadyMlx: true, mlxLoadable: false, evidence };
  }
  const qc = config["quantization_config"];
  const method = isPlainObject(qc) && typeof qc["quant_method"] === "string" ? qc["quant_method"] : undefined;
  if (input.safetensorsMetadata?.["format"] === "mlx") {
    evidence.push('safetensors metadata is {"format": "mlx"}');
    return { kind: "mlx", alreadyMlx: true, mlxLoadable: true, evidence };
  }
  if (method !== undefined) {
    const translated = (MLX_TRANSLATED_QUANT_METHODS as readonly string[]).includes(method);
    evidence.push(`config.json quantization_config.quant_method is "${method}"${translated ? " (mlx-lm translates it on load)" : " (mlx-lm cannot load it)"}`);
    return { kind: "hf-prequantized", alreadyMlx: false, quantMethod: method, mlxLoadable: translated, evidence };
  }
  evidence.push("no MLX quantization, no .scales tensors, no MLX metadata");
  return { kind: "hf", alreadyMlx: false, mlxLoadable: true, evidence };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

/** Python truthiness for JSON values. */
function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

function describe(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}

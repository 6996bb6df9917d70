/**
 * LoRA adapters as mlx-lm and PEFT write them, read into one form: per target module `A` `[r, in]` and `B`
 * `[out, r]` (f32) and a scale, so that the fused weight is `W + scale·B·A` (mlx-lm `LoRALinear.fuse`).
 *
 * - mlx-lm: `adapters.safetensors` (older `adapter.safetensors`), tensors `<module>.lora_a` `[in, r]` and
 *   `<module>.lora_b` `[r, out]`; adapter_config.json `lora_parameters: {rank, scale (or alpha), keys}`,
 *   `fine_tune_type` "lora" (DoRA is refused).
 * - PEFT: `adapter_model.safetensors`, `base_model.model.<module>.lora_A.weight` `[r, in]` and `.lora_B.weight`
 *   `[out, r]`; `r`, `lora_alpha` (scale = alpha/r, or alpha/√r with `use_rslora`), `target_modules`.
 */
import { stat } from "node:fs/promises";
import { readTextQuietly } from "../formats/quiet-read.js";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { readSafetensorsHeader } from "../formats/safetensors/read-safetensors-header.js";
import { readTensorBytes, tensorBytesToFloat32 } from "../formats/safetensors/read-tensor-data.js";
import { roundToDtype, type ModelDtype } from "./float-convert.js";

export interface LoraModule {
  /** `[r, in]`, row-major. */
  a: Float32Array;
  /** `[out, r]`, row-major. */
  b: Float32Array;
  rank: number;
  inDim: number;
  outDim: number;
}

export interface LoraAdapter {
  kind: "mlx" | "peft";
  dir: string;
  rank: number;
  scale: number;
  /** Module names as the config lists them (`q_proj`, `self_attn.q_proj` …). */
  targetModules: string[];
  /** By MLX module path (`model.layers.0.self_attn.q_proj`). */
  modules: Map<string, LoraModule>;
  baseModel: string;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Read an adapter folder (config and all factors: adapters are small).
 * @throws CortexError FMT_INVALID (missing/corrupt files, factor shapes that disagree), FMT_UNSUPPORTED (DoRA, bias
 *   or embedding adapters, non-float factors)
 */
export async function readLoraAdapter(dir: string): Promise<LoraAdapter> {
  const cfgPath = path.join(dir, "adapter_config.json");
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(await readTextQuietly(cfgPath)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { name?: string }).name === "CortexError") throw err;
    throw new CortexError("FMT_INVALID", `${cfgPath}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "missing (not a LoRA adapter folder)" : `not valid JSON (${(err as Error).message})`}`);
  }
  const files = ["adapters.safetensors", "adapter.safetensors", "adapter_model.safetensors"];
  let weightsFile: string | undefined;
  for (const f of files) {
    if (await stat(path.join(dir, f)).then((st) => st.isFile(), () => false)) {
      weightsFile = f;
      break;
    }
  }
  if (!weightsFile) throw new CortexError("FMT_INVALID", `${dir}: no adapter weights (${files.join(", ")})`);
  const peft = weightsFile === "adapter_model.safetensors";
  const lp = (typeof cfg["lora_parameters"] === "object" && cfg["lora_parameters"] !== null ? cfg["lora_parameters"] : {}) as Record<string, unknown>;
  const type = typeof cfg["fine_tune_type"] === "string" ? cfg["fine_tune_type"] : peft ? (cfg["use_dora"] === true ? "dora" : "lora") : "lora";
  if (type !== "lora") throw new CortexError("FMT_UNSUPPORTED", `${cfgPath}: fine_tune_type "${type}" cannot be fused by cortexd (LoRA only)`);

  const rank = peft ? num(cfg["r"]) : num(lp["rank"]);
  if (!rank || rank <= 0) throw new CortexError("FMT_INVALID", `${cfgPath}: ${peft ? "r" : "lora_parameters.rank"} must be a positive number`);
  let scale: number | undefined;
  if (peft) {
    const alpha = num(cfg["lora_alpha"]);
    if (alpha === undefined) throw new CortexError("FMT_INVALID", `${cfgPath}: lora_alpha is missing`);
    scale = cfg["use_rslora"] === true ? alpha / Math.sqrt(rank) : alpha / rank;
  } else {
    scale = num(lp["scale"]) ?? (num(lp["alpha"]) !== undefined ? num(lp["alpha"])! / rank : undefined);
    if (scale === undefined) throw new CortexError("FMT_INVALID", `${cfgPath}: lora_parameters.scale (or alpha) is missing`);
  }
  const targets = (peft ? cfg["target_modules"] : lp["keys"]) ?? [];
  const targetModules = Array.isArray(targets) ? targets.filter((x): x is string => typeof x === "string") : typeof targets === "string" ? [targets] : [];

  const file = path.join(dir, weightsFile);
  const header = await readSafetensorsHeader(file);
  const pairs = new Map<string, { a?: { data: Float32Array; shape: readonly number[] }; b?: { data: Float32Array; shape: readonly number[] } }>();
  for (const t of header.tensors) {
    const m = peft ? /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$/.exec(t.name) : /^(.+)\.lora_([ab])$/.exec(t.name);
    if (!m) {
      if (/lora_(embedding|magnitude)|\.bias$|dora/.test(t.name)) throw new CortexError("FMT_UNSUPPORTED", `${file}: tensor "${t.name}" is not a LoRA A/B factor of a Linear layer; cannot fuse`);
      continue;
    }
    if (!["F32", "F16", "BF16"].includes(t.dtype) || t.shape.length !== 2) throw new CortexError("FMT_UNSUPPORTED", `${file}: "${t.name}" is ${t.dtype} [${t.shape.join(", ")}]; expected a 2-D float factor`);
    const entry = pairs.get(m[1]!) ?? {};
    const data = tensorBytesToFloat32(await readTensorBytes(file, t), t.dtype);
    if (m[2]!.toLowerCase() === "a") entry.a = { data, shape: t.shape };
    else entry.b = { data, shape: t.shape };
    pairs.set(m[1]!, entry);
  }
  const modules = new Map<string, LoraModule>();
  for (const [module, { a, b }] of pairs) {
    if (!a || !b) throw new CortexError("FMT_INVALID", `${file}: ${module} has lora_${a ? "b" : "a"} missing`);
    // Normalize to A [r, in], B [out, r].
    const [r, inDim] = peft ? [a.shape[0]!, a.shape[1]!] : [a.shape[1]!, a.shape[0]!];
    const [rb, outDim] = peft ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (r !== rb) throw new CortexError("FMT_INVALID", `${file}: ${module} factors disagree on the rank (${r} vs ${rb})`);
    modules.set(module, { a: peft ? a.data : transpose(a.data, inDim, r), b: peft ? b.data : transpose(b.data, r, outDim), rank: r, inDim, outDim });
  }
  if (modules.size === 0) throw new CortexError("FMT_INVALID", `${file}: no LoRA factors found`);
  const baseModel = [cfg["base_model_name_or_path"], cfg["model"], cfg["base_model"]].find((v): v is string => typeof v === "string") ?? "";
  return { kind: peft ? "peft" : "mlx", dir, rank, scale, targetModules, modules, baseModel };
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j]!;
  return out;
}

/**
 * `W + (scale·B·A).astype(dtype)` as mlx-lm's fuse computes it: the delta in f32, rounded to the weight dtype,
 * then added (the sum is rounded to `dtype` when written). `w` is `[out, in]` and is updated in place.
 */
export function addLoraDelta(w: Float32Array, m: LoraModule, scale: number, dtype: ModelDtype): Float32Array {
  const { a, b, rank, inDim, outDim } = m;
  const row = new Float64Array(inDim);
  for (let o = 0; o < outDim; o++) {
    row.fill(0);
    for (let k = 0; k < rank; k++) {
      const s = Math.fround(scale * b[o * rank + k]!);
      if (s === 0) continue;
      const ak = k * inDim;
      for (let i = 0; i < inDim; i++) row[i] += s * a[ak + i]!;
    }
    const base = o * inDim;
    for (let i = 0; i < inDim; i++) w[base + i] = Math.fround(w[base + i]! + roundToDtype(row[i]!, dtype));
  }
  return w;
}

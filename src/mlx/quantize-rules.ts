/**
 * Which modules mlx-lm quantizes and with which parameters: a port of `quantize_model`'s `wrapped_predicate`
 * (ml-explore/mlx-lm mlx_lm/utils.py) plus `nn.quantize`'s handling of the predicate result
 * (ml-explore/mlx python/mlx/nn/layers/quantized.py). formats.md §2.5–2.6.
 *
 * A leaf module is quantized iff
 *   1. it has `to_quantized` — nn.Linear, nn.Embedding, SwitchLinear (norms, convs and already-quantized
 *      layers do not);
 *   2. `weight.shape[-1] % group_size == 0` with the *top-level* group size (otherwise skipped silently);
 *   3. the predicate (a mixed recipe, or the model's own `quant_predicate`) does not return false.
 * A predicate returning a dict overrides the parameters for that layer, and the dict is recorded in the
 * config under the module path. When the source config already has a `quantization` key (quantizing an
 * already-MLX checkpoint) every newly quantized layer gets an entry, `true` results recording the defaults.
 */
import { CortexError } from "../errors/cortex-error.js";
import { AFFINE_BITS, AFFINE_GROUP_SIZES } from "./affine-quantize.js";
import { mixedQuantPredicate, type MixedRecipe } from "./mixed-recipes.js";

/** What kind of leaf a module is, as far as quantization cares. */
export type ModuleKind = "linear" | "embedding" | "switch_linear" | "quantized" | "other";

/** A leaf module: its MLX path (`model.layers.0.self_attn.q_proj`), kind and weight shape. */
export interface ModuleInfo {
  path: string;
  kind: ModuleKind;
  /** Shape of `<path>.weight`; the last axis is the one grouped. */
  weightShape: readonly number[];
}

/** Per-layer quantization parameters, spelled as in config.json. */
export interface QuantParams {
  group_size: number;
  bits: number;
  mode: "affine";
}

/** A predicate's answer: quantize with the defaults (true), skip (false), or use these parameters. */
export type PredicateResult = boolean | QuantParams;
export type QuantPredicate = (path: string, module: ModuleInfo) => PredicateResult;

/** mlx-lm's defaults for affine mode (`defaults_for_mode`). */
export const AFFINE_DEFAULTS = { groupSize: 64, bits: 4 } as const;

/** Whether MLX gives this kind of module a `to_quantized` method. */
export function hasToQuantized(kind: ModuleKind): boolean {
  return kind === "linear" || kind === "embedding" || kind === "switch_linear";
}

export interface QuantizationPlanOptions {
  /** Top-level group size; 0/undefined → 64. */
  groupSize?: number;
  /** Top-level bits; 0/undefined → 4. */
  bits?: number;
  /** A mixed recipe (`--quant-predicate`); its layers use the top-level group size. */
  recipe?: MixedRecipe;
  /** Number of transformer blocks (`len(model.layers)`) for a recipe; derived from the paths if absent. */
  numLayers?: number;
  /** A model-specific predicate (mlx-lm's `model.quant_predicate`), used when no recipe is given. */
  predicate?: QuantPredicate;
  /** The source config's `quantization` object when the checkpoint is already (partly) MLX-quantized. */
  existingQuantization?: Record<string, unknown>;
}

export interface PlannedLayer {
  path: string;
  params: QuantParams;
  /** What mlx-lm records under this path in config.json `quantization`, if anything. */
  configEntry?: QuantParams;
}

export interface QuantizationPlan {
  /** Top-level `{group_size, bits, mode}`. */
  defaults: QuantParams;
  /** True when the source already had `quantization`: entries are added to it and its defaults kept. */
  fineGrained: boolean;
  /** Modules to quantize, in the given order. */
  layers: PlannedLayer[];
  /** Modules left as they are, with the reason. */
  skipped: Array<{ path: string; reason: string }>;
}

/** Resolve and validate top-level parameters (`defaults_for_mode` for affine). */
export function resolveQuantParams(groupSize?: number, bits?: number): QuantParams {
  const params: QuantParams = { group_size: groupSize || AFFINE_DEFAULTS.groupSize, bits: bits || AFFINE_DEFAULTS.bits, mode: "affine" };
  checkParams(params, "quantization");
  return params;
}

/**
 * Decide, for each leaf module (in module order), whether and how mlx-lm quantizes it.
 * @throws CortexError FMT_UNSUPPORTED for bits/group sizes/modes MLX affine lacks (also from a predicate),
 *   REQ_INVALID_ARGUMENT when a predicate's group size does not divide the layer, CONV_UNSUPPORTED_ARCH when
 *   a recipe cannot find layer indices
 */
export function planQuantization(modules: readonly ModuleInfo[], options: QuantizationPlanOptions = {}): QuantizationPlan {
  const defaults = resolveQuantParams(options.groupSize, options.bits);
  const fineGrained = options.existingQuantization !== undefined;
  const predicate =
    options.recipe !== undefined
      ? mixedQuantPredicate(
          options.recipe,
          modules.map((m) => m.path),
          { groupSize: defaults.group_size, ...(options.numLayers !== undefined ? { numLayers: options.numLayers } : {}) },
        )
      : options.predicate;

  const layers: PlannedLayer[] = [];
  const skipped: QuantizationPlan["skipped"] = [];
  for (const m of modules) {
    if (!hasToQuantized(m.kind)) {
      skipped.push({ path: m.path, reason: m.kind === "quantized" ? "already quantized" : `${m.kind} has no to_quantized` });
      continue;
    }
    const last = m.weightShape[m.weightShape.length - 1];
    if (last === undefined || last % defaults.group_size !== 0) {
      skipped.push({ path: m.path, reason: `last dimension ${last} is not divisible by group size ${defaults.group_size}` });
      continue;
    }
    const result = predicate ? predicate(m.path, m) : true;
    if (result === false) {
      skipped.push({ path: m.path, reason: "excluded by the predicate" });
      continue;
    }
    if (result === true) {
      layers.push(fineGrained ? { path: m.path, params: defaults, configEntry: defaults } : { path: m.path, params: defaults });
      continue;
    }
    const params: QuantParams = { group_size: result.group_size, bits: result.bits, mode: result.mode };
    checkParams(params, m.path);
    if (last % params.group_size !== 0) {
      throw new CortexError(
        "REQ_INVALID_ARGUMENT",
        `${m.path}: last dimension ${last} is not divisible by its group size ${params.group_size} (mlx would fail in quantize)`,
      );
    }
    layers.push({ path: m.path, params, configEntry: params });
  }
  return { defaults, fineGrained, layers, skipped };
}

function checkParams(p: QuantParams, where: string): void {
  if (p.mode !== "affine") {
    throw new CortexError("FMT_UNSUPPORTED", `${where}: quantization mode "${String(p.mode)}" is not supported; allowed: affine`);
  }
  if (!(AFFINE_BITS as readonly number[]).includes(p.bits)) {
    throw new CortexError("FMT_UNSUPPORTED", `${where}: bits ${p.bits} is not supported by MLX affine quantization; allowed: ${AFFINE_BITS.join(", ")}`);
  }
  if (!(AFFINE_GROUP_SIZES as readonly number[]).includes(p.group_size)) {
    throw new CortexError(
      "FMT_UNSUPPORTED",
      `${where}: group size ${p.group_size} is not supported by MLX affine quantization; allowed: ${AFFINE_GROUP_SIZES.join(", ")}`,
    );
  }
}

/** Last path components that name an nn.Embedding in mlx-lm's models. */
const EMBEDDING_NAMES = new Set(["embed_tokens", "wte", "word_embeddings", "tok_embeddings", "embedding", "embeddings"]);

/**
 * Leaf modules of a llama-style checkpoint from its tensor names and shapes (first-seen order):
 * `<p>.scales` → already quantized; a 2-D `<p>.weight` → Linear, or Embedding when `p` ends in a known
 * embedding name; a 3-D weight under `switch_mlp` → SwitchLinear; anything else (norms, convs) → other.
 * Heuristic: mlx-lm decides from its Python module classes, which a checkpoint alone does not name.
 */
export function inferModulesFromTensors(tensors: ReadonlyArray<{ name: string; shape: readonly number[] }>): ModuleInfo[] {
  const order: string[] = [];
  const byPath = new Map<string, { weight?: readonly number[]; scales: boolean }>();
  for (const t of tensors) {
    const dot = t.name.lastIndexOf(".");
    if (dot < 0) continue;
    const path = t.name.slice(0, dot);
    const leaf = t.name.slice(dot + 1);
    if (leaf !== "weight" && leaf !== "scales") continue;
    let entry = byPath.get(path);
    if (!entry) {
      entry = { scales: false };
      byPath.set(path, entry);
      order.push(path);
    }
    if (leaf === "weight") entry.weight = t.shape;
    else entry.scales = true;
  }
  const modules: ModuleInfo[] = [];
  for (const path of order) {
    const entry = byPath.get(path)!;
    const shape = entry.weight ?? [];
    const lastName = path.slice(path.lastIndexOf(".") + 1);
    let kind: ModuleKind = "other";
    if (entry.scales) kind = "quantized";
    else if (shape.length === 2) kind = EMBEDDING_NAMES.has(lastName) ? "embedding" : "linear";
    else if (shape.length === 3 && path.split(".").includes("switch_mlp")) kind = "switch_linear";
    modules.push({ path, kind, weightShape: shape });
  }
  return modules;
}

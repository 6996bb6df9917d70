/**
 * mlx-lm's mixed-bit recipes (`--quant-predicate mixed_2_6 | mixed_3_4 | mixed_3_6 | mixed_4_6`), a port of
 * `mixed_quant_predicate_builder` in ml-explore/mlx-lm mlx_lm/convert.py, itself modelled on llama.cpp's
 * Q4_K_M choices (formats.md §2.6):
 *
 * - the layer index of a path is its component at `layer_location`, the position of the first all-digit
 *   component of the first module path containing `down_proj`; paths with fewer components (e.g.
 *   `model.embed_tokens`, `lm_head`) count as layer 0;
 * - `use_more_bits = i < L//8 or i >= 7*L//8 or (i − L//8) % 3 == 2`, L = `len(model.layers)`;
 * - high bits for paths containing `v_proj`, `v_a_proj` or `v_b_proj` and for `down_proj` when
 *   `use_more_bits`, and always for `lm_head`; low bits for everything else (embeddings included).
 *
 * Every quantized layer gets a dict, so every one is recorded in config.json. mlx-lm passes
 * `--q-group-size` through (older versions hard-coded 64); cortexd passes the resolved group size, so the
 * config never carries `"group_size": null`.
 */
import { CortexError } from "../errors/cortex-error.js";
import type { ModuleInfo, QuantParams, QuantPredicate } from "./quantize-rules.js";

export const MIXED_RECIPES = ["mixed_2_6", "mixed_3_4", "mixed_3_6", "mixed_4_6"] as const;
export type MixedRecipe = (typeof MIXED_RECIPES)[number];

/** Low/high bit widths of a recipe. */
export function mixedRecipeBits(recipe: MixedRecipe): { low: number; high: number } {
  switch (recipe) {
    case "mixed_2_6":
      return { low: 2, high: 6 };
    case "mixed_3_4":
      return { low: 3, high: 4 };
    case "mixed_3_6":
      return { low: 3, high: 6 };
    case "mixed_4_6":
      return { low: 4, high: 6 };
  }
}

/** Parse a recipe name. @throws CortexError REQ_INVALID_ARGUMENT naming the allowed recipes */
export function parseMixedRecipe(value: string): MixedRecipe {
  if ((MIXED_RECIPES as readonly string[]).includes(value)) return value as MixedRecipe;
  throw new CortexError("REQ_INVALID_ARGUMENT", `quantization recipe "${value}" is not supported; allowed: ${MIXED_RECIPES.join(", ")}`);
}

/** llama.cpp's / mlx-lm's `use_more_bits` (Python floor division; indices are non-negative). */
export function useMoreBits(index: number, numLayers: number): boolean {
  const eighth = Math.floor(numLayers / 8);
  return index < eighth || index >= Math.floor((7 * numLayers) / 8) || pyMod(index - eighth, 3) === 2;
}

/** Layers that get the high bits for `down_proj` / `v_proj` under a recipe with L layers. */
export function highBitLayers(numLayers: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < numLayers; i++) if (useMoreBits(i, numLayers)) out.push(i);
  return out;
}

const DIGITS = /^[0-9]+$/;

/**
 * Build the predicate mlx-lm's `mixed_quant_predicate` implements.
 * @param modulePaths every module path of the model, in module order (used to find `down_proj`)
 * @throws CortexError CONV_UNSUPPORTED_ARCH when no module path contains `down_proj` (mlx-lm: "Model does not
 *   have expected keys for mixed quant."), or, from the predicate, when a path has no layer index where the
 *   recipe expects one
 */
export function mixedQuantPredicate(
  recipe: MixedRecipe,
  modulePaths: readonly string[],
  options: { groupSize: number; numLayers?: number },
): QuantPredicate {
  const { low, high } = mixedRecipeBits(recipe);
  const downKey = modulePaths.find((p) => p.includes("down_proj"));
  if (downKey === undefined) {
    throw new CortexError("CONV_UNSUPPORTED_ARCH", `recipe ${recipe}: the model has no down_proj module, so layers cannot be indexed`);
  }
  const downParts = downKey.split(".");
  // Python's `for layer_location, k in enumerate(...): if k.isdigit(): break` leaves the last index when
  // nothing matches; kept for parity.
  let layerLocation = downParts.findIndex((k) => DIGITS.test(k));
  if (layerLocation < 0) layerLocation = downParts.length - 1;
  const numLayers = options.numLayers ?? countLayers(modulePaths, downParts.slice(0, layerLocation), layerLocation);
  const highParams: QuantParams = { group_size: options.groupSize, bits: high, mode: "affine" };
  const lowParams: QuantParams = { group_size: options.groupSize, bits: low, mode: "affine" };

  return (path: string, _module: ModuleInfo): QuantParams => {
    const parts = path.split(".");
    let index = 0;
    if (parts.length > layerLocation) {
      const part = parts[layerLocation]!;
      if (!DIGITS.test(part)) {
        throw new CortexError(
          "CONV_UNSUPPORTED_ARCH",
          `recipe ${recipe}: module ${path} has "${part}" where a layer index is expected (component ${layerLocation}, as in ${downKey})`,
        );
      }
      index = Number.parseInt(part, 10);
    }
    const more = useMoreBits(index, numLayers);
    if ((path.includes("v_proj") || path.includes("v_a_proj") || path.includes("v_b_proj")) && more) return { ...highParams };
    if (path.includes("down_proj") && more) return { ...highParams };
    if (path.includes("lm_head")) return { ...highParams };
    return { ...lowParams };
  };
}

/** `len(model.layers)` from paths: 1 + the largest index under the prefix the first down_proj uses. */
function countLayers(paths: readonly string[], prefix: readonly string[], location: number): number {
  let max = -1;
  for (const p of paths) {
    const parts = p.split(".");
    if (parts.length <= location || !prefix.every((k, i) => parts[i] === k)) continue;
    const part = parts[location]!;
    if (DIGITS.test(part)) max = Math.max(max, Number.parseInt(part, 10));
  }
  return max + 1;
}

function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

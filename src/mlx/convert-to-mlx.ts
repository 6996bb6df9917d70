/**
 * `mlx_lm.convert` in TypeScript: HF checkpoint (or MLX float model) → MLX folder, float or affine-quantized
 * (uniform, mixed recipe, or cortexd's size recipe). An already-MLX model is not converted again; an MLX float
 * model may be quantized; an MLX-quantized model is never quantized a second time.
 */
import { CortexError } from "../errors/cortex-error.js";
import type { ModelDtype } from "./float-convert.js";
import { parseMixedRecipe, type MixedRecipe } from "./mixed-recipes.js";
import { openMlxSource } from "./mlx-source.js";
import { publishFolder } from "./publish-folder.js";
import type { QuantizePool } from "./quantize-pool.js";
import { recipeByModelSize, type SizeRecipe } from "./size-recipe.js";
import { writeMlxModel, type MlxWriteResult } from "./write-mlx-model.js";

export interface ConvertToMlxOptions {
  /** Replace an existing output folder (else REG_EXISTS). */
  overwrite?: boolean;
  /** "" or undefined: as mlx-lm decides (config torch_dtype). */
  dtype?: ModelDtype | "";
  quantize: boolean;
  bits: number;
  groupSize: number;
  /** "", a mixed recipe, or "auto" (bits from parameter count and memory budget). */
  recipe: string;
  /** "maximum" forces 4-bit under the size recipe (and selects it when no recipe is given). */
  gpuOptimizationLevel?: string;
  /** For the size recipe. */
  memoryBudgetBytes?: number;
  pool: QuantizePool;
  signal?: AbortSignal;
  onProgress?: (p: { doneBytes: number; totalBytes: number; tensor: string }) => void;
  maxShardBytes?: number;
  /** Asked once the output folder is named: folders that may already hold this very model (publishFolder's `adopt`). */
  adopt?: () => readonly string[];
}

export type ConvertToMlxResult =
  | { status: "already-mlx"; path: string; evidence: string[] }
  | ({ status: "converted"; path: string; bits?: number; groupSize?: number; recipe?: string; sizeRecipe?: SizeRecipe } & MlxWriteResult);

/** What will be done, decided before anything is written (also names the output). */
export interface MlxRecipe {
  quantize: boolean;
  bits: number;
  groupSize: number;
  mixed?: MixedRecipe;
  sizeRecipe?: SizeRecipe;
}

/** `<name>`, `<name>-<bits>bit`, or `<name>-<recipe>` for a mixed recipe. */
export function mlxOutputName(stem: string, r: Pick<MlxRecipe, "quantize" | "bits" | "mixed">): string {
  if (!r.quantize) return stem;
  return r.mixed ? `${stem}-${r.mixed}` : `${stem}-${r.bits}bit`;
}

/** Resolve the recipe (size recipe included) for a source with `parameterCount` weights. */
export function resolveMlxRecipe(o: Pick<ConvertToMlxOptions, "quantize" | "bits" | "groupSize" | "recipe" | "gpuOptimizationLevel" | "memoryBudgetBytes" | "dtype">, parameterCount: number): MlxRecipe {
  if (!o.quantize) return { quantize: false, bits: 0, groupSize: 0 };
  const auto = o.recipe === "auto" || (!o.recipe && o.gpuOptimizationLevel === "maximum");
  if (auto) {
    const sizeRecipe = recipeByModelSize({
      parameterCount,
      memoryBudgetBytes: o.memoryBudgetBytes ?? 0,
      groupSize: o.groupSize,
      ...(o.gpuOptimizationLevel ? { gpuOptimizationLevel: o.gpuOptimizationLevel } : {}),
      ...(o.dtype ? { scaleDtype: o.dtype } : {}),
    });
    return { quantize: true, bits: sizeRecipe.bits, groupSize: sizeRecipe.groupSize, sizeRecipe };
  }
  return { quantize: true, bits: o.bits, groupSize: o.groupSize, ...(o.recipe ? { mixed: parseMixedRecipe(o.recipe) } : {}) };
}

/**
 * Convert the checkpoint folder `srcDir` into `outDir` (`name(recipe)` picks the folder name once the recipe
 * is known). The output is written to a temporary folder and renamed when complete.
 * @throws CortexError FMT_INVALID / FMT_UNSUPPORTED / CONV_* for bad input, REG_EXISTS, JOB_CANCELLED
 */
export async function convertToMlx(srcDir: string, outDir: (recipe: MlxRecipe) => string, options: ConvertToMlxOptions): Promise<ConvertToMlxResult> {
  const src = await openMlxSource(srcDir);
  const det = src.detection;
  if (det.alreadyMlx && !options.quantize) return { status: "already-mlx", path: srcDir, evidence: det.evidence };
  if (det.kind === "mlx-quantized" && options.quantize) {
    const q = det.quantization;
    throw new CortexError("FMT_UNSUPPORTED", `${srcDir} is already MLX-quantized${q ? ` (${q.bits}-bit, group ${q.groupSize})` : ""}; quantize its float source instead`);
  }
  const recipe = resolveMlxRecipe(options, src.params.reduce((s, p) => s + (p.floatDtype ? p.numel : 0), 0));
  const dest = outDir(recipe);
  const result = await publishFolder(dest, (tmp) =>
    writeMlxModel(src, tmp, {
      ...(options.dtype ? { dtype: options.dtype } : {}),
      ...(recipe.quantize ? { quantize: { bits: recipe.bits, groupSize: recipe.groupSize, ...(recipe.mixed ? { recipe: recipe.mixed } : {}) } } : {}),
      pool: options.pool,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.maxShardBytes ? { maxShardBytes: options.maxShardBytes } : {}),
    }),
    options.signal,
    options.overwrite,
    options.adopt?.() ?? [],
  );
  return {
    status: "converted",
    ...result.result,
    path: result.path,
    ...(recipe.quantize ? { bits: recipe.bits, groupSize: recipe.groupSize, recipe: recipe.mixed ?? (recipe.sizeRecipe ? "auto" : "uniform") } : {}),
    ...(recipe.sizeRecipe ? { sizeRecipe: recipe.sizeRecipe } : {}),
  };
}

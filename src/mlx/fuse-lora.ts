/**
 * `mlx_lm.fuse` in TypeScript: a LoRA adapter (mlx-lm or PEFT) fused into its base model (HF or MLX, float or
 * affine-quantized). Each adapted weight is read (dequantized when the base is quantized), `scale·B·A` added,
 * and written back — re-quantized with the base's own per-layer parameters, so the fused model keeps the base's
 * recipe. Everything else is copied through. The folder records the fusion in `fine_tuned.marker`, which the
 * store turns into the manifest's `lora` entry.
 */
import { CortexError } from "../errors/cortex-error.js";
import { addLoraDelta, readLoraAdapter, type LoraAdapter } from "./lora-adapter.js";
import { openMlxSource } from "./mlx-source.js";
import { publishFolder } from "./publish-folder.js";
import type { QuantizePool } from "./quantize-pool.js";
import { writeMlxModel, type MlxWriteResult } from "./write-mlx-model.js";

export interface FuseLoraOptions {
  pool: QuantizePool;
  /** Replace an existing output folder (else REG_EXISTS). */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { doneBytes: number; totalBytes: number; tensor: string }) => void;
  /** Recorded in fine_tuned.marker: what the user called the base and the adapter. */
  baseRef?: string;
  adapterRef?: string;
  /** Folders that may already hold this very fused model (publishFolder's `adopt`). */
  adopt?: readonly string[];
}

export interface FuseLoraResult extends MlxWriteResult {
  path: string;
  adapter: Pick<LoraAdapter, "kind" | "rank" | "scale" | "targetModules">;
  fusedModules: number;
}

/**
 * Fuse the adapter folder `adapterDir` into the base folder `baseDir`, writing `outDir` (temp folder + rename).
 * @throws CortexError CONV_SHAPE_MISMATCH (an adapted module the base lacks, or of another shape), FMT_* for bad
 *   adapter or base files, REG_EXISTS, JOB_CANCELLED
 */
export async function fuseLora(baseDir: string, adapterDir: string, outDir: string, options: FuseLoraOptions): Promise<FuseLoraResult> {
  const adapter = await readLoraAdapter(adapterDir);
  const src = await openMlxSource(baseDir);
  const byName = new Map(src.params.map((p) => [p.name, p]));
  for (const [module, m] of adapter.modules) {
    const p = byName.get(`${module}.weight`);
    if (!p) throw new CortexError("CONV_SHAPE_MISMATCH", `adapter ${adapterDir} adapts ${module}, which base ${baseDir} does not have`);
    if (p.shape.length !== 2 || p.shape[0] !== m.outDim || p.shape[1] !== m.inDim) {
      throw new CortexError("CONV_SHAPE_MISMATCH", `adapter ${adapterDir}: ${module} is [${m.outDim}, ${m.inDim}] in the adapter but [${p.shape.join(", ")}] in base ${baseDir}`);
    }
    if (!p.floatDtype) throw new CortexError("FMT_UNSUPPORTED", `base ${baseDir}: ${module}.weight is ${p.dtype}, not a float weight`);
  }
  const marker = {
    base_model: options.baseRef ?? baseDir,
    adapter: options.adapterRef ?? adapterDir,
    rank: adapter.rank,
    scale: adapter.scale,
    target_modules: adapter.targetModules,
  };
  const result = await publishFolder(
    outDir,
    (tmp) =>
      writeMlxModel(src, tmp, {
        keepQuantization: true,
        transformNames: new Set([...adapter.modules.keys()].map((m) => `${m}.weight`)),
        transform: (p, values) => addLoraDelta(values, adapter.modules.get(p.name.slice(0, -".weight".length))!, adapter.scale, p.floatDtype!),
        pool: options.pool,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        extraFiles: { "fine_tuned.marker": JSON.stringify(marker, null, 2) + "\n" },
      }),
    options.signal,
    options.overwrite,
    options.adopt ?? [],
  );
  return { ...result.result, path: result.path, adapter: { kind: adapter.kind, rank: adapter.rank, scale: adapter.scale, targetModules: adapter.targetModules }, fusedModules: adapter.modules.size };
}

import fs from "node:fs/promises";
import { CortexError } from "../../errors/cortex-error.js";
import type { LoadSpec } from "../engine/engine-types.js";
import type { EstimateInput, MemoryEstimate } from "../engine/estimate-memory.js";
import type { ModelFileInfo } from "../inspect-model-file.js";
import { AUTO_MAPPING_EXACT_BITS, GGUF_FROM_MLX } from "../../convert/convert-mlx-to-gguf.js";
import { inspectCheckpoint, inspectMlxFolder, type MlxFolder } from "../inspect-checkpoint.js";
import { estimateLoad } from "../../store/inspect/estimate-load.js";
import { chooseFallback, type Quantizer } from "../quant-fallback.js";

/** Per-model load options from a request or LoadModel; absent = default. */
export interface LoadOptions {
  contextSize?: number;
  /** "auto" = as many layers as fit; 0 = CPU only. */
  gpuLayers?: number | "auto";
  /** Keep-alive after the last request: -1 forever, 0 unload after the request. */
  ttlSeconds?: number;
  pin?: boolean;
  parallel?: number;
  threads?: number;
}

/** Everything decided before a load: the file (maybe a quantized variant), its settings, its cost. */
export interface PreparedLoad {
  file: ModelFileInfo;
  spec: LoadSpec;
  estimate: MemoryEstimate;
  variant: string;
  variantReason: string;
}

export interface PrepareDeps {
  inspect: (path: string) => Promise<ModelFileInfo>;
  estimate: (input: EstimateInput) => Promise<MemoryEstimate>;
  quantizer?: Quantizer;
  defaults: { contextSize: number; parallel: number; threads: number };
}

export const MAX_PARALLEL = 64;

export interface PrepareContext {
  /** What the request called the model (for messages). */
  name?: string;
  gpu: Promise<boolean>;
  availableBytes: () => number;
  signal?: AbortSignal;
}

/**
 * Validates a model file, resolves its load settings and estimates the load (both cached by file identity and
 * settings: a hot path must not re-read headers). When the original can never fit and a quantizer is present,
 * switches to the variant chooseFallback picks (Q8_0 before Q4_K_M). A SafeTensors checkpoint folder, which
 * llama.cpp cannot load, is always converted: to F16 when that fits, else to the fallback that does; so is an MLX
 * float model (the same rules: INT8 → INT4 when too large); an MLX-quantized model becomes its bit-exact GGUF.
 */
export class LoadPreparer {
  private readonly files = new Map<string, Promise<ModelFileInfo>>();
  private readonly estimates = new Map<string, Promise<MemoryEstimate>>();

  constructor(private readonly deps: PrepareDeps) {}

  /**
   * `gpu` may still be settling (the first runner starting): the file is validated and its metadata read
   * meanwhile, so a cold start pays for the slower of the two, not both.
   */
  async prepare(path: string, options: LoadOptions, ctx: PrepareContext): Promise<PreparedLoad> {
    if ((await fs.stat(path).catch(() => undefined))?.isDirectory()) return this.prepareCheckpoint(path, options, ctx);
    const file = await this.inspect(path);
    const spec = resolveSpec(file, options, this.deps.defaults);
    const estimate = await this.estimateFor(file, spec, ctx.gpu);
    if (estimate.totalBytes <= ctx.availableBytes() || !this.deps.quantizer) {
      return { file, spec, estimate, variant: file.weightType, variantReason: "" };
    }
    const choice = chooseFallback({ originalType: file.weightType, weightsBytes: estimate.weightsBytes, contextBytes: estimate.contextBytes, availableBytes: ctx.availableBytes() });
    if (!choice.variant || choice.variant === "original") return { file, spec, estimate, variant: file.weightType, variantReason: choice.reason };
    const q = this.deps.quantizer;
    const variantPath = (await q.existing(path, choice.variant)) ?? (await q.quantize(path, choice.variant, ctx.signal ?? new AbortController().signal));
    const vfile = await this.inspect(variantPath);
    const vspec = { ...spec, path: variantPath };
    return { file: vfile, spec: vspec, estimate: await this.estimateFor(vfile, vspec, ctx.gpu), variant: choice.variant, variantReason: choice.reason };
  }

  /**
   * A folder is estimated from its own headers (config.json, safetensors) by the store's estimateLoad — what
   * `cortex ls` shows for it — whether or not its GGUF exists yet, so the choice made before a conversion is the
   * one admitted after it (a first request near the budget gets the variant that fits, never a conversion that
   * then does not). Served as itself (its F16 GGUF, an MLX model's bridge GGUF) it keeps that estimate; served as
   * a fallback, the estimate chooseFallback made for the fallback. Whatever it picks is made by one job (or reused).
   */
  private async prepareCheckpoint(dir: string, options: LoadOptions, ctx: PrepareContext): Promise<PreparedLoad> {
    const name = ctx.name ?? dir;
    const q = this.deps.quantizer;
    const mlx = await inspectMlxFolder(dir);
    const what = mlx ? (mlx.quantized ? `an MLX ${mlx.quantized.bits}-bit model` : "an MLX model") : "a SafeTensors checkpoint";
    if (!q) throw new CortexError("INF_LOAD_FAILED", `model "${name}" is ${what} (${dir}), which llama.cpp cannot load; convert it to GGUF first: cortex convert ${name} --to gguf`);
    const info = await inspectCheckpoint(dir, mlx);
    const spec = resolveSpec({ path: dir, trainContextSize: info.trainContextSize }, options, this.deps.defaults);
    const estimate = await estimateLoad({ weightsBytes: info.servedWeightsBytes, kv: info.kv }, spec);
    await ctx.gpu;
    if (mlx?.quantized) return this.prepareMlx(dir, mlx.quantized, spec, estimate, ctx);
    const choice = chooseFallback({ originalType: "F16", weightsBytes: estimate.weightsBytes, contextBytes: estimate.contextBytes, availableBytes: ctx.availableBytes() });
    if (!choice.variant) throw new CortexError("INF_RESOURCE_EXHAUSTED", `model "${name}" (${what}) does not fit in the memory budget, not even quantized: ${choice.reason}`);
    const type = choice.variant === "original" ? "F16" : choice.variant;
    const made = (await q.existing(dir, type)) ?? (await q.quantize(dir, type, ctx.signal ?? new AbortController().signal));
    const file = await this.inspect(made);
    const served = type === "F16" ? estimate : { totalBytes: choice.estimatedBytes, weightsBytes: choice.estimatedBytes - estimate.contextBytes, contextBytes: estimate.contextBytes };
    const fromMlx = mlx !== undefined && type === "F16";
    return {
      file, spec: { ...spec, path: made }, estimate: served, variant: fromMlx ? GGUF_FROM_MLX : type,
      variantReason: `${mlx ? "MLX float model" : "SafeTensors checkpoint"} converted to ${type} GGUF: ${choice.reason}`,
    };
  }

  /**
   * An MLX-quantized model is served as the GGUF its bridge makes (Q4_1/Q5_1 bit-exact, others re-quantized), made
   * once by a conversion job (concurrent requests share it) and reused while newer than the folder.
   */
  private async prepareMlx(dir: string, mlx: NonNullable<MlxFolder["quantized"]>, spec: LoadSpec, estimate: MemoryEstimate, ctx: PrepareContext): Promise<PreparedLoad> {
    const q = this.deps.quantizer!;
    const made = (await q.existing(dir, "MLX")) ?? (await q.quantize(dir, "MLX", ctx.signal ?? new AbortController().signal));
    const file = await this.inspect(made);
    const exact = AUTO_MAPPING_EXACT_BITS.includes(mlx.bits);
    const variantReason = `MLX ${mlx.bits}-bit model (group size ${mlx.groupSize}) served as its ${mlx.label} GGUF${exact ? ", repacked bit-exact" : ", re-quantized from the dequantized weights"}`;
    return { file, spec: { ...spec, path: made }, estimate, variant: GGUF_FROM_MLX, variantReason };
  }

  /** Header validation is cached per file identity (path, size, mtime): a replaced file is validated again. */
  private async inspect(path: string): Promise<ModelFileInfo> {
    const st = await fs.stat(path).catch(() => undefined);
    if (!st) return this.deps.inspect(path);
    const key = `${path}\0${st.size}\0${st.mtimeMs}`;
    let p = this.files.get(key);
    if (!p) {
      p = this.deps.inspect(path);
      this.files.set(key, p);
      p.catch(() => this.files.delete(key));
      if (this.files.size > 256) this.files.delete(this.files.keys().next().value!);
    }
    return p;
  }

  /**
   * The estimate does not depend on the device, but what it is compared with does (the budget counts VRAM once a
   * runner reported it): it resolves only after the device settled.
   */
  private async estimateFor(file: ModelFileInfo, spec: LoadSpec, gpuSettling: Promise<boolean>): Promise<MemoryEstimate> {
    const key = JSON.stringify([file.path, file.sizeBytes, file.mtimeMs, spec.contextSize, spec.parallel]);
    let p = this.estimates.get(key);
    if (!p) {
      p = this.deps.estimate({ path: file.path, contextSize: spec.contextSize, parallel: spec.parallel });
      this.estimates.set(key, p);
      p.catch(() => this.estimates.delete(key));
      if (this.estimates.size > 256) this.estimates.delete(this.estimates.keys().next().value!);
    }
    await gpuSettling;
    return p;
  }
}

/** Load settings from options and defaults (pure): the default context is 4096, or less if trained on less. */
export function resolveSpec(file: Pick<ModelFileInfo, "path" | "trainContextSize">, o: LoadOptions, d: { contextSize: number; parallel: number; threads: number }): LoadSpec {
  const train = file.trainContextSize > 0 ? file.trainContextSize : Infinity;
  const contextSize = o.contextSize && o.contextSize > 0 ? o.contextSize : Math.min(d.contextSize, train);
  const parallel = o.parallel && o.parallel > 0 ? o.parallel : d.parallel;
  if (parallel > MAX_PARALLEL) throw new CortexError("REQ_INVALID_ARGUMENT", `parallel ${parallel} exceeds the limit of ${MAX_PARALLEL}`);
  if (contextSize < 16) throw new CortexError("REQ_INVALID_ARGUMENT", `context_size ${contextSize} is too small (at least 16)`);
  return { path: file.path, contextSize, parallel, gpuLayers: o.gpuLayers ?? "auto", threads: o.threads && o.threads > 0 ? o.threads : d.threads };
}

import fs from "node:fs/promises";
import { CortexError } from "../../errors/cortex-error.js";
import type { LoadSpec } from "../engine/engine-types.js";
import type { EstimateInput, MemoryEstimate } from "../engine/estimate-memory.js";
import type { ModelFileInfo } from "../inspect-model-file.js";
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

/**
 * Validates a model file, resolves its load settings and estimates the load (both cached by file identity and
 * settings: a hot path must not re-read headers). When the original can never fit and a quantizer is present,
 * switches to the variant chooseFallback picks (Q8_0 before Q4_K_M).
 */
export class LoadPreparer {
  private readonly files = new Map<string, Promise<ModelFileInfo>>();
  private readonly estimates = new Map<string, Promise<MemoryEstimate>>();

  constructor(private readonly deps: PrepareDeps) {}

  /**
   * `gpu` may still be settling (the first runner starting): the file is validated and its metadata read
   * meanwhile, so a cold start pays for the slower of the two, not both.
   */
  async prepare(path: string, options: LoadOptions, ctx: { gpu: Promise<boolean>; availableBytes: () => number; signal?: AbortSignal }): Promise<PreparedLoad> {
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

  private async estimateFor(file: ModelFileInfo, spec: LoadSpec, gpuSettling: Promise<boolean>): Promise<MemoryEstimate> {
    const key = JSON.stringify([file.path, file.sizeBytes, file.mtimeMs, spec.contextSize, spec.parallel, spec.gpuLayers]);
    let p = this.estimates.get(key);
    if (!p) {
      const gpu = gpuSettling;
      p = this.deps.estimate({ path: file.path, contextSize: spec.contextSize, parallel: spec.parallel, gpuLayers: spec.gpuLayers, gpu });
      this.estimates.set(key, p);
      p.catch(() => this.estimates.delete(key));
      if (this.estimates.size > 256) this.estimates.delete(this.estimates.keys().next().value!);
    }
    return p;
  }
}

/** Load settings from options and defaults (pure): the default context is 4096, or less if trained on less. */
export function resolveSpec(file: ModelFileInfo, o: LoadOptions, d: { contextSize: number; parallel: number; threads: number }): LoadSpec {
  const train = file.trainContextSize > 0 ? file.trainContextSize : Infinity;
  const contextSize = o.contextSize && o.contextSize > 0 ? o.contextSize : Math.min(d.contextSize, train);
  const parallel = o.parallel && o.parallel > 0 ? o.parallel : d.parallel;
  if (parallel > MAX_PARALLEL) throw new CortexError("REQ_INVALID_ARGUMENT", `parallel ${parallel} exceeds the limit of ${MAX_PARALLEL}`);
  if (contextSize < 16) throw new CortexError("REQ_INVALID_ARGUMENT", `context_size ${contextSize} is too small (at least 16)`);
  return { path: file.path, contextSize, parallel, gpuLayers: o.gpuLayers ?? "auto", threads: o.threads && o.threads > 0 ? o.threads : d.threads };
}

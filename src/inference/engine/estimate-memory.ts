import { GgufInsights, readGgufFileInfo } from "node-llama-cpp";
import { CortexError, errorMessage } from "../../errors/cortex-error.js";

/** What a load will cost before it happens. */
export interface MemoryEstimate {
  totalBytes: number;
  /** Model weights (RAM + VRAM). */
  weightsBytes: number;
  /** KV cache for every sequence at the context size, plus compute and output buffers. */
  contextBytes: number;
  vramBytes: number;
}

export interface EstimateInput {
  path: string;
  contextSize: number;
  parallel: number;
  /** Layers to offload; "auto" = all when a GPU is present. */
  gpuLayers: number | "auto";
  /** Whether the runners have a GPU; may still be settling (a runner starting) while the file is read. */
  gpu: boolean | Promise<boolean>;
}

/**
 * Estimates a load from the GGUF's metadata with node-llama-cpp's GgufInsights: weights per tensor, KV cache
 * for `parallel` sequences of `contextSize` tokens, compute graph and output buffers. Uses the metadata-only
 * estimators (pure JavaScript math on a slim, backend-less binding), never the simulating ones that load the
 * model natively — this runs in the daemon, which must not touch an unvalidated model with llama.cpp.
 */
export async function estimateMemory(input: EstimateInput): Promise<MemoryEstimate> {
  let insights: GgufInsights;
  try {
    insights = await GgufInsights.from(await readGgufFileInfo(input.path, { readTensorInfo: true }));
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${input.path}: cannot estimate its memory from the GGUF metadata: ${errorMessage(err)}`, { cause: err });
  }
  const gpu = await input.gpu;
  const layers = input.gpuLayers === "auto" ? (gpu ? insights.totalLayers : 0) : Math.min(input.gpuLayers, insights.totalLayers);
  const weights = insights.estimateModelResourceRequirements({ gpuLayers: layers, useMmap: false });
  const context = insights.estimateContextResourceRequirements({ contextSize: input.contextSize, modelGpuLayers: layers, sequences: input.parallel });
  const weightsBytes = weights.cpuRam + weights.gpuVram;
  const contextBytes = context.cpuRam + context.gpuVram;
  return { totalBytes: weightsBytes + contextBytes, weightsBytes, contextBytes, vramBytes: weights.gpuVram + context.gpuVram };
}

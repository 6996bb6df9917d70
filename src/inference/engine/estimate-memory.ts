import { estimateLoad, type MemoryEstimate } from "../../store/inspect/estimate-load.js";

export type { MemoryEstimate } from "../../store/inspect/estimate-load.js";

/** A GGUF load to estimate: the file and the settings the pool resolved for it. */
export interface EstimateInput {
  path: string;
  contextSize: number;
  parallel: number;
}

/**
 * The pool's estimate of a GGUF load: the store's estimateLoad, the same function `cortex ls` uses at the default
 * settings, so ls and LoadModel agree (issue #15).
 */
export function estimateMemory(input: EstimateInput): Promise<MemoryEstimate> {
  return estimateLoad({ gguf: input.path }, { contextSize: input.contextSize, parallel: input.parallel });
}

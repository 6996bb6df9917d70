import type { JobContext } from "../processor-shim.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";

/**
 * The contract between worker entry files (workers/*.ts) and the modules that do the work. Each body gets the
 * job's data (validated by the gRPC layer), the worker's runtime config and the job context (signal, progress),
 * and returns a JSON-able result (output model id and paths).
 */
export type Body<D = Record<string, unknown>> = (data: D, ctx: JobContext, cfg: WorkerRuntimeConfig) => Promise<object>;

export interface ConvertData {
  model: string;
  source: string;
  target: "gguf" | "mlx";
  outtype?: string;
  mlx?: { dtype: string; quantize: boolean; bits: number; groupSize: number; recipe: string; gpuOptimizationLevel: string };
  outputName: string;
  /** Replace an existing output (else REG_EXISTS). */
  overwrite?: boolean;
  keepIntermediate: boolean;
  /** Flow children: quantization types to produce from this conversion (one pass each). */
  types?: string[];
  /** Where the output goes (jobs/destination.ts); absent = the submitting daemon's home. */
  destination?: string;
}

export interface QuantizeData {
  model: string;
  target: "gguf" | "mlx";
  type?: string;
  mlx?: ConvertData["mlx"];
  outputName: string;
  overwrite?: boolean;
  threads: number;
  destination?: string;
}

export interface FuseData {
  model: string;
  base: string;
  adapter: string;
  outputName: string;
  overwrite?: boolean;
}

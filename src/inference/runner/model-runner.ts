import type { CortexError } from "../../errors/cortex-error.js";
import type { EngineKind } from "../engine/engine.js";
import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "../engine/engine-types.js";

/**
 * What holds one model for the pool. Implemented by a runner child process (the default: a crash costs only
 * that model) and in-process (benchmarks, tests); the scheduler cannot tell which, nor whether it is a fake.
 */
export interface ModelRunner {
  /** The runner's process id (the daemon's own for in-process runners). */
  readonly pid: number;
  readonly device: DeviceInfo;
  load(spec: LoadSpec): Promise<LoadResult>;
  /** Streams pieces into `sink`; `signal` stops it within one token (finish reason "cancelled"). */
  generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult>;
  embed(inputs: string[]): Promise<EmbedResult>;
  memory(): Promise<MemorySample>;
  /** Frees the model; resolves once its memory is returned (for a child: the process has exited). */
  close(): Promise<void>;
  /** Called at most once, when the runner dies without being asked to (crash, OOM kill, abort). */
  onCrash(listener: (err: CortexError) => void): void;
}

/** Starts a runner that is ready to load (its engine initialised, its device known). */
export type RunnerFactory = () => Promise<ModelRunner>;

/** The engine runners use unless told otherwise (config `engine`). */
export const DEFAULT_ENGINE: EngineKind = "native";

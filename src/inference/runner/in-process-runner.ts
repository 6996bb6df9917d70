import { CortexError } from "../../errors/cortex-error.js";
import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "../engine/engine-types.js";
import { createEngine, type EngineKind, type InferenceEngine, type LoadedModel } from "../engine/engine.js";
import { DEFAULT_ENGINE, type ModelRunner, type RunnerFactory } from "./model-runner.js";

/**
 * A runner inside the daemon's process, sharing one engine: no IPC, but a model that makes llama.cpp abort takes
 * the daemon down. Used by benchmarks (to price isolation) and tests; the daemon uses child runners.
 */
export class InProcessRunner implements ModelRunner {
  private model: LoadedModel | undefined;
  readonly pid = process.pid;

  constructor(private readonly engine: InferenceEngine, readonly device: DeviceInfo) {}

  /** A factory whose runners share one lazily created engine. */
  static factory(opts: { threads: number; gpu: "auto" | "off"; engine?: EngineKind }): RunnerFactory & { dispose(): Promise<void> } {
    let engine: Promise<{ engine: InferenceEngine; device: DeviceInfo }> | undefined;
    const get = () =>
      (engine ??= createEngine(opts.engine ?? DEFAULT_ENGINE, { threads: opts.threads, gpu: opts.gpu === "off" ? false : "auto" }).then(async (e) => ({ engine: e, device: await e.device() })));
    const factory = async () => {
      const { engine: e, device } = await get();
      return new InProcessRunner(e, device);
    };
    return Object.assign(factory, {
      async dispose() {
        if (engine) await (await engine).engine.dispose();
      },
    });
  }

  async load(spec: LoadSpec): Promise<LoadResult> {
    if (this.model) throw new CortexError("INTERNAL", "runner already holds a model");
    const r = await this.engine.load(spec);
    this.model = r.model;
    return r.result;
  }

  generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult> {
    return this.need().generate(input, sampling, sink, signal);
  }

  embed(inputs: string[]): Promise<EmbedResult> {
    return this.need().embed(inputs);
  }

  async memory(): Promise<MemorySample> {
    return this.engine.memory();
  }

  async close(): Promise<void> {
    const m = this.model;
    this.model = undefined;
    await m?.dispose();
  }

  onCrash(): void {
    // An in-process model cannot crash without taking the daemon with it.
  }

  private need(): LoadedModel {
    if (!this.model) throw new CortexError("INTERNAL", "runner has no model loaded");
    return this.model;
  }
}

import type { GenerationResult } from "../engine/engine-types.js";
import type { ModelRunner } from "../runner/model-runner.js";
import type { ModelEntry } from "./model-entry.js";

/** A request's hold on a model: the runner to use and its own abort signal (a forced unload aborts it). */
export interface Lease {
  readonly name: string;
  readonly path: string;
  readonly runner: ModelRunner;
  readonly signal: AbortSignal;
  /** How long this request waited for the model to load (0 when it was resident). */
  readonly loadMs: number;
  readonly variant: string;
  readonly variantReason: string;
  /** Gives the sequence back; idempotent. The result's tokens/s feeds ListLoadedModels. */
  release(result?: GenerationResult): void;
}

/** @internal The pool's lease: one per running request, held in its entry's `active` set. */
export class LeaseImpl implements Lease {
  readonly controller = new AbortController();
  private released = false;

  constructor(readonly entry: ModelEntry, readonly loadMs: number, private readonly onRelease: (l: LeaseImpl, r?: GenerationResult) => void) {}

  get name(): string {
    return this.entry.name;
  }
  get path(): string {
    return this.entry.key;
  }
  get runner(): ModelRunner {
    return this.entry.runner!;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get variant(): string {
    return this.entry.variant;
  }
  get variantReason(): string {
    return this.entry.variantReason;
  }

  /** Aborts the request running under this lease (forced unload, shutdown, runner crash). */
  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  release(result?: GenerationResult): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this, result);
  }
}

import fs from "node:fs";
import path from "node:path";
import { isInside } from "./safe-remove.js";
import type { RootKind } from "./model-types.js";

/** What a holder is asked about: a model about to be deleted. */
export interface HeldModel {
  readonly id: string;
  readonly name: string;
  /** GGUF parts, or the model folder. */
  readonly paths: readonly string[];
  readonly root: RootKind;
  /** "org/name" for HF-cache models (or a model's recorded source). */
  readonly sourceRepo: string;
  readonly sourceRevision: string;
}

/**
 * Asked before a model is deleted: answers who holds it, one short phrase per holder ("loaded in the inference
 * pool", "job convert-12 (active)"); empty when nobody does. The daemon passes one that combines the inference
 * pool and the job system; a holder that fails counts as holding (deleting is refused, not risked).
 */
export type ModelHolders = (model: HeldModel) => Promise<string[]>;

/**
 * Whether `target` (a path as another part of cortexd knows it: the pool keys models by their real path, an HF
 * GGUF by its blob) is one of a model's paths or lies inside its folder — compared as given and after links.
 */
export function modelHasPath(modelPaths: readonly string[], target: string): boolean {
  const t = path.resolve(target);
  const at = (p: string) => p === t || isInside(p, t);
  if (modelPaths.some((p) => at(path.resolve(p)))) return true;
  return modelPaths.some((p) => {
    try {
      return at(fs.realpathSync(p));
    } catch {
      return false;
    }
  });
}

/** Nobody holds anything (tests, or a daemon without pool/jobs). */
export const noHolders: ModelHolders = async () => [];

/** Ask every source; all answers together. */
export function combineHolders(...sources: ModelHolders[]): ModelHolders {
  return async (model) => {
    const answers = await Promise.all(
      sources.map((s) => s(model).catch((err: unknown) => [`a holder could not answer (${err instanceof Error ? err.message : String(err)})`])),
    );
    return answers.flat();
  };
}

/** A job as the job system lists it. */
export interface ActiveJob {
  id: string;
  type: string;
  state: string;
  /** What the job was given: a path, "org/name[@rev]", or a model name. */
  model: string;
}

/**
 * Holders from the job system: every job that is not finished whose model reference resolves to (or inside) the
 * model's paths, or names the model's HF repo (a pull writing into its cache folder).
 * @param listJobs unfinished jobs (queued, active, delayed, waiting for children)
 * @param resolve a job's model reference → a path, or undefined when it resolves to nothing
 */
export function jobHolders(listJobs: () => Promise<ActiveJob[]>, resolve: (ref: string) => string | undefined): ModelHolders {
  return async (model) => {
    const jobs = await listJobs();
    const out: string[] = [];
    for (const j of jobs) {
      const repo = /^([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)(?:@.*)?$/.exec(j.model)?.[1];
      let held = model.id === j.model || model.name === j.model || (repo !== undefined && model.root === "hf-cache" && repo === model.sourceRepo);
      if (!held) {
        let p: string | undefined;
        try {
          p = resolve(j.model);
        } catch {
          p = undefined;
        }
        held = p !== undefined && model.paths.some((mp) => isInside(path.resolve(mp), path.resolve(p!)) || isInside(path.resolve(p!), path.resolve(mp)));
      }
      if (held) out.push(`job ${j.id} (${j.type.replace(/^JOB_TYPE_/, "").toLowerCase()}, ${j.state.replace(/^JOB_STATE_/, "").toLowerCase()})`);
    }
    return out;
  };
}

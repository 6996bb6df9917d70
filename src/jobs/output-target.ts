import fs from "node:fs";
import { link, rename, rm } from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { sameFileBytes, sha256File } from "../hub/sha256-file.js";
import { manifestSchema, type Manifest } from "../store/manifest/manifest-schema.js";
import { manifestPath } from "../store/manifest/manifest-store.js";
import { identifyPath } from "../store/model-identity.js";
import { storeRootsFor } from "../store/store-roots.js";
import type { WorkerRuntimeConfig } from "./worker-config.js";

/** Where a job writes its model, and whether an earlier run of this same job already wrote it there. */
export interface OutputTarget {
  path: string;
  /** Replace what is there at publish (the request said `overwrite`). */
  overwrite: boolean;
  /** The manifest of this job's own complete output from an earlier run (a retried or doubly-run job): finish with it. */
  finished?: Manifest;
  /**
   * A rerun's candidates that hold an output no recorded job made: one may be this job's own, published by a run
   * killed before it recorded the manifest. The publish keeps the one whose bytes equal the new output's.
   */
  unclaimed?: string[];
}

export interface OutputRequest {
  /** Candidate paths, preferred first. An explicit output name gives one; a default name adds alternatives. */
  candidates: readonly string[];
  overwrite: boolean;
  jobId: string;
  /** The job's input model (a path in the roots): an existing output made from it is "the same model". */
  sourcePath: string;
  /**
   * This is a rerun (JobContext.rerun). An earlier run killed between publishing its output and recording its
   * manifest left an output that no job claims: the rerun redoes the work and keeps that output if its own bytes
   * are identical (a job's output is a function of its input and recipe): publishOutput for a file, publishFolder's
   * `adopt` for a folder.
   */
  rerun?: boolean | undefined;
}

/**
 * Choose the output of a job that writes a model (#20 item 1): never an existing model unless the request says
 * `overwrite`. An output recorded as made by this very job (an earlier attempt, or a run that lost its Redis lock)
 * is finished, not redone. A default name taken by a model of *another* source moves on to the next candidate
 * (the org, or the source's id prefix, in the name); taken by the same source it is REG_EXISTS. Synchronous (a
 * stat and a small manifest read per candidate) so MLX's output-folder callback can use it.
 * @throws CortexError REG_EXISTS naming the output and how to replace it.
 */
export function chooseOutput(cfg: WorkerRuntimeConfig, r: OutputRequest): OutputTarget {
  const roots = storeRootsFor({ hfHubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs }, cfg.paths);
  const sourceId = safeId(roots, r.sourcePath);
  const unclaimed: string[] = [];
  for (const candidate of r.candidates) {
    if (!fs.existsSync(candidate)) return { path: candidate, overwrite: false, ...(unclaimed.length > 0 ? { unclaimed } : {}) };
    const m = ownManifest(roots, candidate);
    const last = m?.provenance.convertedFrom.at(-1);
    if (m && last?.jobId && last.jobId === r.jobId) return { path: candidate, overwrite: false, finished: m };
    if (r.overwrite) return { path: candidate, overwrite: true };
    if (r.rerun && !last) {
      unclaimed.push(candidate);
      continue;
    }
    const sameSource = r.candidates.length === 1 || (sourceId !== undefined && last !== undefined && stepSourceId(last) === sourceId);
    if (sameSource) throw exists(candidate);
  }
  // Every name is taken; the publish keeps an unclaimed one that holds these very bytes, or refuses.
  if (unclaimed.length > 0) return { path: unclaimed[0]!, overwrite: false, unclaimed };
  throw exists(r.candidates[0]!, r.candidates.length);
}

/** The manifest of the model at `p`, read directly (a few KiB), or undefined. */
export function ownManifest(roots: ReturnType<typeof storeRootsFor>, p: string): Manifest | undefined {
  const id = safeId(roots, p);
  if (!id) return undefined;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(manifestPath(roots.manifests, id), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** This job's finished output at `p`, waiting up to `waitMs` for a concurrent run of the same job to record it. */
export async function finishedByJob(cfg: WorkerRuntimeConfig, p: string, jobId: string, waitMs: number): Promise<Manifest | undefined> {
  const roots = storeRootsFor({ hfHubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs }, cfg.paths);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const m = ownManifest(roots, p);
    if (m && m.provenance.convertedFrom.at(-1)?.jobId === jobId) return m;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Candidate names for a default output stem: as is, then with the source's org, then with its id prefix. */
export function defaultStems(stem: string, source: { repo?: string | undefined; id: string }): string[] {
  const org = source.repo?.includes("/") ? source.repo.split("/")[0]! : "";
  return [...new Set([stem, ...(org ? [`${org}-${stem}`] : []), `${stem}-${source.id.slice(0, 8) || "x"}`])];
}

function exists(file: string, tried = 1): CortexError {
  return new CortexError("REG_EXISTS", `${file} already exists${tried > 1 ? ` (and ${tried - 1} alternative names are taken)` : ""}; choose another output name, delete it first, or pass overwrite (cortex … --overwrite) to replace it`);
}

function safeId(roots: ReturnType<typeof storeRootsFor>, p: string): string | undefined {
  try {
    return identifyPath(roots, p).id;
  } catch {
    return undefined;
  }
}

/** The source model id a step recorded (record-model.ts puts it in the recipe as `sourceId`). */
function stepSourceId(step: { recipe: Record<string, unknown> }): string | undefined {
  return typeof step.recipe.sourceId === "string" ? step.recipe.sourceId : undefined;
}

/** The id a job records as its source (`recipe.sourceId`), so a later job can tell "same source" from "name clash". */
export function sourceIdOf(cfg: WorkerRuntimeConfig, sourcePath: string): string {
  return safeId(storeRootsFor({ hfHubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs }, cfg.paths), sourcePath) ?? "";
}

/**
 * Put a finished temp file at `dst`. Without overwrite this is a hard link (fails EEXIST, atomically, when anything
 * appeared at `dst` meanwhile), then the temp name goes. An existing `dst` with the same bytes is this job's own
 * output from a concurrent run (a lost Redis lock: both runs produce identical files) and counts as published.
 * @throws CortexError REG_EXISTS when a different file appeared at `dst`.
 */
export async function publishFile(tmp: string, dst: string, overwrite: boolean, tmpSha?: () => Promise<string>): Promise<"published" | "already-there"> {
  if (overwrite) {
    await rename(tmp, dst);
    return "published";
  }
  try {
    await link(tmp, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const same = await sameFileBytes(tmp, dst, tmpSha);
    await rm(tmp, { force: true });
    if (same) return "already-there";
    throw exists(dst);
  }
  await rm(tmp, { force: true });
  return "published";
}

/**
 * Publish a job's finished file at `dst` (publishFile), unless it is byte for byte one of the target's unclaimed
 * outputs: then that file is this job's own earlier output, the temp file goes, and that path is answered.
 */
export async function publishOutput(target: OutputTarget, tmp: string, dst: string): Promise<string> {
  let hash: Promise<string> | undefined;
  const tmpSha = () => (hash ??= sha256File(tmp)); // read once, however many files it is compared with
  for (const u of target.unclaimed ?? []) {
    if (await sameFileBytes(tmp, u, tmpSha)) {
      await rm(tmp, { force: true });
      return u;
    }
  }
  await publishFile(tmp, dst, target.overwrite, tmpSha);
  return dst;
}

/** The result of a job whose output an earlier run of it already finished (from that run's manifest). */
export function finishedResult(p: string, m: Manifest, extra: Record<string, unknown>): object {
  const files = m.provenance.files;
  return {
    model_id: m.id,
    path: p,
    ...extra,
    bytes: files.reduce((a, f) => a + f.size, 0),
    ...(files.length === 1 && files[0]!.sha256 ? { sha256: files[0]!.sha256 } : {}),
    finished_by_earlier_run: true,
  };
}

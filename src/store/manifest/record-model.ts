import { CortexError } from "../../errors/cortex-error.js";
import { discoverPath } from "../discover/discover-models.js";
import { inspectCandidate, toRecord } from "../model-index.js";
import { identifyPath } from "../model-identity.js";
import type { StoreRoots } from "../model-types.js";
import { buildManifest } from "./build-manifest.js";
import { TAG_RE, type ConversionStepInput, type Manifest, type ManifestFile } from "./manifest-schema.js";
import { ManifestStore } from "./manifest-store.js";

/** What a job tells the store about a model it has just written. */
export interface ProducedModel {
  /** The output: a model folder, or a GGUF file (first part of a split). Must lie in a known root. */
  path: string;
  /** This step: "pull", "convert", "quantize", "fuse", "import" … @default "convert" */
  kind?: string;
  /** The input the job read (a path in the roots, "org/name@commit", or a model id). */
  source?: string;
  sourceRevision?: string;
  /** The input's path when it is a model in the roots: its manifest's chain and provenance are inherited. */
  sourcePath?: string;
  /** The job's parameters (outtype, quantization type, bits, group size, adapter …). */
  recipe?: Record<string, unknown>;
  /** e.g. {"cortexd": VERSION, "llama.cpp": "b6000"} */
  toolVersions?: Record<string, string>;
  jobId?: string;
  /** Original Hub provenance when not inherited from the source. */
  sourceRepo?: string;
  revision?: string;
  tags?: string[];
  /** sha256 by file (folder-relative path or the GGUF file name) when the producer already hashed them. */
  sha256?: Record<string, string>;
}

/**
 * Record a model a job produced: reads its headers (no weights), carries over the source model's converted-from
 * chain and Hub provenance, appends this step and writes `$CORTEX_HOME/manifests/<id>.manifest.json` atomically.
 * Worker processes call this directly; the daemon's listing picks it up by the folder's mtime.
 * @throws CortexError REG_OUTSIDE_ROOTS / REG_NOT_FOUND for a path that is not a model in the roots;
 *   REQ_INVALID_ARGUMENT for a malformed tag.
 */
export async function recordModelProduced(roots: StoreRoots, produced: ProducedModel, now = new Date()): Promise<Manifest> {
  for (const t of produced.tags ?? []) if (!TAG_RE.test(t)) throw new CortexError("REQ_INVALID_ARGUMENT", `tag "${t}" must be letters, digits, ".", "_", ":" or "-" (≤ 64)`);
  const store = new ManifestStore(roots.manifests);
  const candidate = await discoverPath(roots, produced.path);
  const facts = await inspectCandidate(candidate);
  const previous = await store.get(candidate.id);
  // Manifests keep no memory estimate (it depends on the daemon's load settings): none is computed here.
  const record = toRecord(candidate, facts, previous, 0);

  let chain: ConversionStepInput[] = [];
  let sourceRepo = produced.sourceRepo ?? "";
  let revision = produced.revision ?? "";
  if (produced.sourcePath) {
    const src = identifyPath(roots, produced.sourcePath);
    const srcManifest = await store.get(src.id);
    chain = [...(srcManifest?.provenance.convertedFrom ?? [])];
    const hf = /^hf:model\/([^@]+)@([0-9a-f]{40})/.exec(src.identity);
    sourceRepo ||= srcManifest?.provenance.sourceRepo || hf?.[1] || "";
    revision ||= srcManifest?.provenance.revision || hf?.[2] || "";
  }
  const step: ConversionStepInput = {
    kind: produced.kind ?? "convert",
    source: produced.source ?? produced.sourcePath ?? "",
    sourceRevision: produced.sourceRevision ?? "",
    recipe: produced.recipe ?? {},
    toolVersions: produced.toolVersions ?? {},
    jobId: produced.jobId ?? "",
    at: now.toISOString(),
  };
  const files: ManifestFile[] = candidate.files.map((f) => {
    const sha = produced.sha256?.[f.rel];
    return sha ? { path: f.rel, size: f.size, sha256: sha, mtimeMs: f.mtimeMs } : { path: f.rel, size: f.size };
  });
  const tags = [...new Set([...(previous?.tags ?? []), ...(produced.tags ?? [])])];
  return store.update(candidate.id, (current) => buildManifest(record, current, { files, now, convertedFrom: [...chain, step], tags, sourceRepo, revision }));
}

/**
 * Note that a model was used (loaded or run): sets lastUsedAt, creating a minimal manifest when there is none.
 * The inference pool calls this on load; `cortex clean --older-than` reads it.
 */
export async function recordModelUsed(roots: StoreRoots, modelPath: string, now = new Date()): Promise<Manifest> {
  const store = new ManifestStore(roots.manifests);
  const candidate = await discoverPath(roots, modelPath);
  const previous = await store.get(candidate.id);
  if (previous) return store.update(candidate.id, (cur) => ({ ...(cur ?? previous), lastUsedAt: now.toISOString(), updatedAt: now.toISOString() }));
  const record = toRecord(candidate, await inspectCandidate(candidate), undefined, 0);
  return store.update(candidate.id, (cur) => ({ ...buildManifest(record, cur, { now }), lastUsedAt: now.toISOString() }));
}

import fs from "node:fs";
import path from "node:path";
import { CortexError, isCortexError } from "../../errors/cortex-error.js";
import { parseRepoRef } from "../../hub/parse-repo-ref.js";
import { snapshotDownload } from "../../hub/snapshot-download.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { parseDestination, sharedRootOf } from "../destination.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import type { Body } from "./job-bodies.js";
import type { JobContext } from "../processor-shim.js";
import { folderFiles, pushToHub } from "../../hub/hub-push.js";
import { sha256File } from "../../hub/sha256-file.js";
import { writeModelCard } from "../model-card.js";

/** The fields every fleet-capable job carries: its input (`source` for conversions, `model` for quantizations) and output. */
interface FleetData {
  model: string;
  source?: string;
  destination?: string;
}

/**
 * Location-independent jobs: whatever machine runs the body, the input is found by Hub repo@commit (fetched into
 * this machine's HF cache when missing) or under a shared root, and the output goes to its destination instead of
 * this machine's home. Local jobs (no destination) pass through untouched.
 */
export function withFleetIO<D extends FleetData>(body: Body<D>): Body<D> {
  return async (data, ctx, cfg) => {
    const dest = parseDestination(data.destination);
    if (dest.kind === "local") return body(data, ctx, cfg);
    const fleetCfg: WorkerRuntimeConfig = { ...cfg, modelDirs: [...cfg.modelDirs, ...(cfg.sharedRoots ?? [])] };
    await fetchInput(data.source ?? data.model, fleetCfg, ctx.signal, (done, total) => ctx.progress({ phase: "fetching input", done, total, unit: "bytes" }));
    if (dest.kind === "hub") return publish(body, data, ctx, fleetCfg, dest);
    if (!sharedRootOf(dest.dir, (cfg.sharedRoots ?? []))) {
      throw new CortexError("FLEET_NO_SHARED_ROOT", `this worker does not mount a shared root holding ${dest.dir} (its shared roots: ${(cfg.sharedRoots ?? []).join(", ") || "none"}); set CORTEX_SHARED_ROOTS`);
    }
    fs.mkdirSync(dest.dir, { recursive: true });
    const out = { ...fleetCfg, paths: { ...cfg.paths, models: dest.dir, quantizedModels: dest.dir, mlxModels: dest.dir } };
    return body(data, ctx, out);
  };
}

/**
 * hub: the body writes into a private folder of this job, then the folder (plus a model card) is pushed as one
 * commit whose title names the job: a re-run of a job whose worker died after committing finds that commit and
 * publishes nothing twice. The folder goes once pushed.
 */
async function publish<D extends FleetData>(body: Body<D>, data: D, ctx: JobContext, cfg: WorkerRuntimeConfig, dest: { repo: string; branch: string }): Promise<object> {
  const dir = path.join(cfg.paths.tmp, `push-${ctx.jobId}`);
  fs.rmSync(dir, { recursive: true, force: true }); // what an interrupted attempt here left
  fs.mkdirSync(dir, { recursive: true });
  const result = await body(data, ctx, { ...cfg, paths: { ...cfg.paths, models: dir, quantizedModels: dir, mlxModels: dir } });
  const ref = data.source ?? data.model;
  const src = resolveModelSource(ref, { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs });
  const files = await Promise.all(
    folderFiles(dir).map(async (f) => ({ path: f, bytes: fs.statSync(path.join(dir, f)).size, sha256: await sha256File(path.join(dir, f), ctx.signal) })),
  );
  const { model: _m, source: _s, destination: _d, ...recipe } = data as FleetData & Record<string, unknown>;
  writeModelCard(dir, { repo: dest.repo, ...(src.repo ? { sourceRepo: src.repo, sourceRevision: src.commit ?? "" } : { sourcePath: src.path }), recipe, files, jobId: ctx.jobId });
  ctx.progress({ phase: "pushing", done: 0, total: files.length + 1, unit: "files", message: `${dest.repo}@${dest.branch}` });
  const pushed = await pushToHub({ repo: dest.repo, branch: dest.branch, hubUrl: cfg.hfEndpoint, token: cfg.hfToken, folder: dir, title: `cortexd ${ctx.jobName}: ${files.map((f) => f.path).join(", ")} (job ${ctx.jobId})`, marker: ctx.jobId, signal: ctx.signal });
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...result, hub: { repo: dest.repo, branch: dest.branch, commit: pushed.commit, url: pushed.url, files: pushed.files, uploaded: pushed.uploaded, already_published: pushed.alreadyPublished } };
}

/** A repo@commit input missing from this machine's HF cache is downloaded first; a path must exist under the roots. */
async function fetchInput(ref: string, cfg: WorkerRuntimeConfig, signal: AbortSignal, progress: (done: number, total: number) => void): Promise<void> {
  try {
    resolveModelSource(ref, { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs });
    return;
  } catch (err) {
    if (!isCortexError(err) || err.code !== "REG_NOT_FOUND" || path.isAbsolute(ref) || !ref.includes("/")) throw err;
  }
  const { repo, revision } = parseRepoRef(ref);
  await snapshotDownload({
    repo,
    revision,
    cacheDir: cfg.hfHubCache,
    hubUrl: cfg.hfEndpoint,
    ...(cfg.hfToken ? { token: cfg.hfToken } : {}),
    partsPerFile: cfg.downloadPartsPerFile,
    offline: cfg.hfOffline,
    signal,
    onProgress: (p) => progress(p.doneBytes, p.totalBytes),
  });
}

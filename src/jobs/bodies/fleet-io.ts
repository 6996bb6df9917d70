import fs from "node:fs";
import path from "node:path";
import { CortexError, isCortexError } from "../../errors/cortex-error.js";
import { parseRepoRef } from "../../hub/parse-repo-ref.js";
import { snapshotDownload } from "../../hub/snapshot-download.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { parseDestination, sharedRootOf } from "../destination.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import type { Body } from "./job-bodies.js";

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
    if (dest.kind === "hub") throw new CortexError("REQ_UNIMPLEMENTED", "hub: destinations are not supported by this worker yet");
    if (!sharedRootOf(dest.dir, (cfg.sharedRoots ?? []))) {
      throw new CortexError("FLEET_NO_SHARED_ROOT", `this worker does not mount a shared root holding ${dest.dir} (its shared roots: ${(cfg.sharedRoots ?? []).join(", ") || "none"}); set CORTEX_SHARED_ROOTS`);
    }
    fs.mkdirSync(dest.dir, { recursive: true });
    const out = { ...fleetCfg, paths: { ...cfg.paths, models: dest.dir, quantizedModels: dest.dir, mlxModels: dest.dir } };
    return body(data, ctx, out);
  };
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

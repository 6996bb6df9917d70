import { snapshotDownload } from "../src/hub/snapshot-download.js";
import { pushBody, type PushData } from "../src/jobs/bodies/push-body.js";
import { createProcessor } from "../src/jobs/processor-shim.js";
import { recordPulledModels } from "../src/jobs/worker-store.js";
import { readWorkerConfig } from "../src/jobs/worker-config.js";

/** The `downloads` queue's processor (a BullMQ sandboxed child): pull jobs into the shared HF cache. */
export interface PullData {
  model: string;
  repo: string;
  revision: string;
  include: string[];
  exclude: string[];
}

export default createProcessor<PullData, object>(async (data, ctx) => {
  const cfg = readWorkerConfig();
  // `cortex push` runs here too: this queue's worker is the one that holds the Hub token.
  if (ctx.jobName === "push") return pushBody(data as unknown as PushData, ctx, cfg);
  ctx.progress({ phase: "resolving", message: `${data.repo}@${data.revision}` });
  const r = await snapshotDownload({
    repo: data.repo,
    revision: data.revision,
    cacheDir: cfg.hfHubCache,
    hubUrl: cfg.hfEndpoint,
    ...(cfg.hfToken ? { token: cfg.hfToken } : {}),
    include: data.include,
    exclude: data.exclude,
    partsPerFile: cfg.downloadPartsPerFile,
    offline: cfg.hfOffline,
    signal: ctx.signal,
    onProgress: (p) =>
      ctx.progress({
        phase: "downloading",
        done: p.doneBytes,
        total: p.totalBytes,
        unit: "bytes",
        message: `${p.filesDone}/${p.filesTotal} files`,
        ...(p.file ? { current_item: p.file, current_done: p.fileDone ?? 0, current_total: p.fileTotal ?? 0 } : {}),
      }),
  });
  ctx.progress({ phase: "writing manifest", done: r.files.reduce((s, f) => s + f.size, 0), total: r.files.reduce((s, f) => s + f.size, 0), unit: "bytes" });
  // Every model the snapshot holds (its folder, each GGUF); a repo with none (a README) is still a good pull.
  const { models, skipped } = await recordPulledModels(cfg, r.snapshotPath, r.files, {
    kind: "pull",
    source: `${r.repo}@${data.revision}`,
    sourceRevision: data.revision,
    sourceRepo: r.repo,
    revision: r.commit,
    recipe: { include: data.include, exclude: data.exclude },
    jobId: ctx.jobId,
  });
  if (models.length === 0) ctx.log(`no model in ${r.repo}@${r.commit}: ${skipped.join("; ")}`);
  return {
    repo: r.repo,
    commit: r.commit,
    snapshot_path: r.snapshotPath,
    files: r.files.length,
    bytes: r.files.reduce((s, f) => s + f.size, 0),
    bytes_fetched: r.bytesFetched,
    from_cache: r.fromCache,
    model_id: models[0]?.id ?? "",
    model_ids: models.map((m) => m.id),
    models,
  };
});

import fs from "node:fs";
import path from "node:path";
import { folderFiles, pushToHub } from "../../hub/hub-push.js";
import { sha256File } from "../../hub/sha256-file.js";
import { writeModelCard } from "../model-card.js";
import type { Body } from "./job-bodies.js";

export interface PushData {
  model: string;
  /** The model's file or folder on this machine (resolved by the daemon). */
  path: string;
  repo: string;
  branch: string;
  sourceRepo?: string;
  sourceRevision?: string;
}

/**
 * `cortex push`: the model's files (a GGUF file, or a folder's files, links followed) are staged by hard link (a copy
 * across file systems) in a folder of this job with a model card, and pushed as one commit named by the job.
 */
export const pushBody: Body<PushData> = async (data, ctx, cfg) => {
  const dir = path.join(cfg.paths.tmp, `push-${ctx.jobId}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const stage = (from: string, rel: string) => {
    const real = fs.realpathSync(from);
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    try {
      fs.linkSync(real, path.join(dir, rel));
    } catch {
      fs.copyFileSync(real, path.join(dir, rel));
    }
  };
  if (fs.statSync(data.path).isDirectory()) for (const rel of folderFiles(data.path)) stage(path.join(data.path, rel), rel);
  else stage(data.path, path.basename(data.path));
  const staged = folderFiles(dir);
  const files = await Promise.all(staged.filter((f) => f !== "README.md").map(async (f) => ({ path: f, bytes: fs.statSync(path.join(dir, f)).size, sha256: await sha256File(path.join(dir, f), ctx.signal) })));
  // A model that has its own card keeps it; others get one.
  if (!staged.includes("README.md")) {
    const target = files.some((f) => f.path.endsWith(".gguf")) ? "gguf" : "mlx";
    writeModelCard(dir, { repo: data.repo, ...(data.sourceRepo ? { sourceRepo: data.sourceRepo, sourceRevision: data.sourceRevision ?? "" } : { sourcePath: data.path }), recipe: { target, pushed: data.model }, files, jobId: ctx.jobId });
  }
  ctx.progress({ phase: "pushing", done: 0, total: files.length, unit: "files", message: `${data.repo}@${data.branch}` });
  const pushed = await pushToHub({ repo: data.repo, branch: data.branch, hubUrl: cfg.hfEndpoint, token: cfg.hfToken, folder: dir, title: `cortexd push ${data.model} (job ${ctx.jobId})`, marker: ctx.jobId, signal: ctx.signal });
  fs.rmSync(dir, { recursive: true, force: true });
  return { repo: data.repo, branch: data.branch, commit: pushed.commit, url: pushed.url, files: pushed.files, uploaded: pushed.uploaded, already_published: pushed.alreadyPublished };
};

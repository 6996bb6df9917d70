import fs from "node:fs";
import path from "node:path";
import type { HomePaths } from "../config/paths.js";
import type { SnapshotResult } from "../hub/snapshot-download.js";
import { VERSION } from "../version.js";

/** The model id of a pulled snapshot: org--name (one id per repo; the revision lives in the manifest). */
export function pulledModelId(repo: string): string {
  return repo.replace(/\//g, "--");
}

/**
 * Provenance of a pull: source repo, resolved commit, files with size and sha256. Written atomically
 * (temp + rename) to $CORTEX_HOME/manifests/<id>.manifest.json.
 */
export function recordPull(paths: HomePaths, r: SnapshotResult, revision: string): string {
  const id = pulledModelId(r.repo);
  const file = path.join(paths.manifests, `${id}.manifest.json`);
  let previous: { created_at?: string; tags?: string[] } = {};
  try {
    previous = JSON.parse(fs.readFileSync(file, "utf8")) as typeof previous;
  } catch {
    // first pull
  }
  const now = new Date().toISOString();
  const manifest = {
    schema_version: 1,
    id,
    name: r.repo,
    source: { repo: r.repo, revision, commit: r.commit, hub: "huggingface" },
    paths: [r.snapshotPath],
    files: r.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
    converted_from: [],
    tags: previous.tags ?? [],
    disk_usage_bytes: r.files.reduce((s, f) => s + f.size, 0),
    created_at: previous.created_at ?? now,
    updated_at: now,
    tool: { name: "cortexd", version: VERSION },
  };
  fs.mkdirSync(paths.manifests, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return file;
}

import fs from "node:fs";
import path from "node:path";
import { blobLockHeld } from "../../hub/blob-lock.js";

/**
 * `.incomplete` files written this recently count as a download in progress even without a held lock: a writer on
 * a file system without flock, or one between two files of a pull.
 */
export const ACTIVE_INCOMPLETE_MS = 10 * 60 * 1000;

/** `.locks/<repo folder>/<etag>.lock`, where cortexd's downloader and huggingface_hub keep theirs. */
export function blobLockPath(cacheDir: string, repoFolder: string, etag: string): string {
  return path.join(cacheDir, ".locks", repoFolder, `${etag}.lock`);
}

/**
 * The etag an `.incomplete` file belongs to: huggingface_hub's `<etag>.incomplete`, cortexd's
 * `<etag>.cortexd.incomplete`.
 */
export function incompleteEtag(incompletePath: string): string {
  return path.basename(incompletePath).replace(/(\.cortexd)?\.incomplete$/, "");
}

/** Written within ACTIVE_INCOMPLETE_MS. */
export function writtenRecently(file: string, now = Date.now()): boolean {
  try {
    return now - fs.statSync(file).mtimeMs < ACTIVE_INCOMPLETE_MS;
  } catch {
    return false;
  }
}

/** Whether an `.incomplete` blob belongs to a running download: its lock is held, or it was written recently. */
export function incompleteIsActive(cacheDir: string, repoFolder: string, incompletePath: string, now = Date.now()): boolean {
  return blobLockHeld(blobLockPath(cacheDir, repoFolder, incompleteEtag(incompletePath))) || writtenRecently(incompletePath, now);
}

/**
 * Whether a pull is writing this snapshot (#20 item 16): its repo has an `.incomplete` blob a download is writing,
 * and the snapshot folder itself changed within ACTIVE_INCOMPLETE_MS (a pull links each file in as it completes;
 * an older, complete snapshot of the same repo is not the one being written).
 */
export function snapshotDownloading(snapshotPath: string, now = Date.now()): boolean {
  const repoPath = path.dirname(path.dirname(snapshotPath));
  if (path.basename(path.dirname(snapshotPath)) !== "snapshots" || !writtenRecently(snapshotPath, now)) return false;
  let names: string[];
  try {
    names = fs.readdirSync(path.join(repoPath, "blobs"));
  } catch {
    return false;
  }
  const cacheDir = path.dirname(repoPath);
  return names.some((n) => n.endsWith(".incomplete") && incompleteIsActive(cacheDir, path.basename(repoPath), path.join(repoPath, "blobs", n), now));
}

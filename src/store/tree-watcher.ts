import fs from "node:fs";

/** More folders than this are not watched (inotify watches are a per-user budget): listings walk instead. */
export const MAX_WATCHED_DIRS = 20_000;

/**
 * Tells the model index when anything under its roots may have changed, so a warm listing can skip the walk.
 * Linux: one non-recursive watch per folder the last walk visited (inotify reports creations, renames, deletions,
 * writes and attribute changes of a folder's entries; Node 20's recursive mode loses files replaced by rename).
 * macOS: one recursive FSEvents watch per root. Anything that fails (a root missing, out of watches, an error
 * event) leaves the watcher incomplete, and the index then walks on every listing: correct, only slower.
 */
export class TreeWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /** Roots absent at the last sync: their appearance is a change. */
  private missing: string[] = [];
  private failed = false;
  private closed = false;

  constructor(
    private readonly roots: readonly string[],
    private readonly onChange: () => void,
    private readonly recursive = process.platform === "darwin",
  ) {}

  /**
   * Watch the folders the last walk visited (Linux) or the roots (macOS). Folders not visited any more are
   * dropped. Newly watched folders report a change: the walk that found them ran before their watch existed.
   */
  sync(visited: Iterable<string>): void {
    if (this.closed) return;
    this.failed = false;
    this.missing = this.roots.filter((r) => !isDir(r));
    const want = new Set(this.recursive ? this.roots.filter(isDir) : [...visited]);
    if (!this.recursive && want.size > MAX_WATCHED_DIRS) {
      this.failed = true;
      want.clear();
    }
    for (const dir of [...this.watchers.keys()]) if (!want.has(dir)) this.drop(dir);
    let added = false;
    for (const dir of want) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = fs.watch(dir, { recursive: this.recursive, persistent: false }, () => this.onChange());
        w.on("error", () => {
          this.failed = true;
          this.drop(dir);
          this.onChange();
        });
        this.watchers.set(dir, w);
        added = true;
      } catch {
        this.failed = true; // ENOSPC (out of inotify watches), EACCES, vanished meanwhile
      }
    }
    if (added) this.onChange();
  }

  /** Whether every existing root is covered, no missing root appeared, and no watch failed since the last sync. */
  get complete(): boolean {
    if (this.closed || this.failed) return false;
    return this.roots.every((r) => this.watchers.has(r) || (this.missing.includes(r) && !isDir(r)));
  }

  private drop(dir: string): void {
    const w = this.watchers.get(dir);
    this.watchers.delete(dir);
    try {
      w?.close();
    } catch {
      // already closed
    }
  }

  close(): void {
    this.closed = true;
    for (const dir of [...this.watchers.keys()]) this.drop(dir);
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Two turns of the event loop: file-system events the kernel already queued are delivered first. */
export async function settleEvents(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setImmediate(r));
}

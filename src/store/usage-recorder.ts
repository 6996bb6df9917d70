/**
 * Last-use marks, batched off the hot path: `mark` only notes a path and a time in memory (every generation calls
 * it); a write of everything pending happens `delayMs` after the first mark of a batch, or at once on `flush`
 * (before a listing or a cleanup reads last use) and on `close`. One write per batch, each path with its latest
 * time. A failed write keeps its marks for the next batch (never newer ones overwritten by older).
 */
export class UsageRecorder {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (marks: ReadonlyMap<string, Date>) => Promise<void>,
    private readonly delayMs = 2000,
  ) {}

  /** A model (by any of its paths, or the real path the pool keys it by) was used at `at`. */
  mark(modelPath: string, at = Date.now()): void {
    this.pending.set(modelPath, Math.max(at, this.pending.get(modelPath) ?? 0));
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.delayMs);
      this.timer.unref();
    }
  }

  /** Write what is pending now; resolves when it (and any write before it) is on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.writing;
    const batch = this.pending;
    this.pending = new Map();
    const run = this.writing.catch(() => undefined).then(async () => {
      try {
        await this.write(new Map([...batch].map(([k, ms]) => [k, new Date(ms)])));
      } catch (err) {
        for (const [k, ms] of batch) this.mark(k, ms); // retried with the next batch
        throw err;
      }
    });
    this.writing = run;
    return run;
  }

  close(): Promise<void> {
    return this.flush();
  }
}

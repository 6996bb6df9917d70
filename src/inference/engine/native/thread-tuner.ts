/**
 * Picks the decode thread count from measured step times, while generating. ggml's CPU threads meet at spinning
 * barriers after every op: when another process (a conversion job, another model, anything) holds one of the
 * cores, a decode on n threads waits for its slowest thread's time slice, and a token can take 10× longer than on
 * n − 1 threads. The right count therefore depends on what else runs, which only measuring tells: the tuner stays
 * on the best count it knows and, every `probeEvery` windows, spends one window on another count (each in turn);
 * a count whose window was slower than the best is left; a faster one is taken. Quiet machine: it settles on the
 * most threads that help and probes cost ~1/probeEvery of windows. Pure: the decode loop feeds it.
 */
export interface ThreadTunerOptions {
  /** The most threads (the threadpool's size). */
  maxThreads: number;
  /** Decode steps per measurement window. @default 16 */
  window?: number;
  /** Windows between probes of another count. @default 8 */
  probeEvery?: number;
  /** A probe must beat the current count by this fraction to be taken (noise margin). @default 0.05 */
  margin?: number;
}

export class ThreadTuner {
  readonly maxThreads: number;
  private readonly window: number;
  private readonly probeEvery: number;
  private readonly margin: number;
  private threads: number;
  private best: number;
  private samples: number[] = [];
  /** Per count: the median ms/step of its last window. */
  private readonly last = new Map<number, number>();
  private windowsSinceProbe = 0;
  /** Windows until the next probe: doubles after each probe that lost (up to 16 × probeEvery), resets on a change. */
  private interval: number;
  /** The best count's ms/step when it last won: a window 30% slower than that means the machine changed. */
  private reference = Infinity;
  private probing = false;
  private nextProbe = 0;
  private shape = "";

  constructor(opts: ThreadTunerOptions) {
    this.maxThreads = Math.max(1, Math.floor(opts.maxThreads));
    this.window = opts.window ?? 16;
    this.probeEvery = opts.probeEvery ?? 8;
    this.margin = opts.margin ?? 0.05;
    this.threads = this.maxThreads;
    this.best = this.maxThreads;
    this.interval = this.probeEvery;
  }

  /** The count it settles on (current may be a probe). */
  get preferred(): number {
    return this.best;
  }

  /** The count the next decode step should use. */
  get current(): number {
    return this.threads;
  }

  /**
   * One decode step's time. `shape` names what was decoded (e.g. the number of sequences in the batch): times of
   * different shapes are not compared, so a change of shape starts the measuring afresh.
   * @returns the count for the next step (changed only at a window's end).
   */
  record(ms: number, shape: string): number {
    if (this.maxThreads === 1) return 1;
    if (shape !== this.shape) {
      this.shape = shape;
      this.samples = [];
      this.last.clear();
      this.probing = false;
      this.threads = this.best;
      this.windowsSinceProbe = 0;
      this.interval = this.probeEvery;
      this.reference = Infinity;
    }
    this.samples.push(ms);
    if (this.samples.length < this.window) return this.threads;
    const med = median(this.samples);
    this.samples = [];
    this.last.set(this.threads, med);
    if (this.probing) {
      this.probing = false;
      const bestMs = this.last.get(this.best) ?? Infinity;
      if (med < bestMs * (1 - this.margin)) {
        this.best = this.threads;
        this.reference = med;
        this.interval = this.probeEvery;
      } else {
        this.interval = Math.min(this.interval * 2, this.probeEvery * 16);
      }
      this.threads = this.best;
      return this.threads;
    }
    // The current count's own window: if it is now clearly worse than another count's last window, take that.
    for (const [n, t] of this.last) if (n !== this.best && t < med * (1 - this.margin)) this.best = n;
    if (this.best !== this.threads) this.interval = this.probeEvery;
    if (this.best === this.threads && med > this.reference * 1.3) this.interval = this.probeEvery;
    if (this.best === this.threads) this.reference = Math.min(this.reference, med);
    this.threads = this.best;
    if (++this.windowsSinceProbe >= this.interval || this.last.size === 1) {
      this.windowsSinceProbe = 0;
      this.probing = true;
      this.threads = this.nextCandidate();
    }
    return this.threads;
  }

  private nextCandidate(): number {
    for (let i = 0; i < this.maxThreads; i++) {
      this.nextProbe = (this.nextProbe % this.maxThreads) + 1;
      if (this.nextProbe !== this.best) return this.nextProbe;
    }
    return this.best;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

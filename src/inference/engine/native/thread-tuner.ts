/**
 * Picks the decode thread count from measured step times, while generating. ggml's CPU threads meet at spinning
 * barriers after every op: when another process (a conversion job, another model, anything) holds one of the
 * cores, a decode on n threads waits for its slowest thread's time slice, and a token can take 10× longer than on
 * n − 1 threads. The right count therefore depends on what else runs, which only measuring tells: the tuner stays
 * on the best count it knows and, every `probeEvery` windows, spends one window on another count (each in turn);
 * a count whose window was slower than the best is left; a faster one is taken. Quiet machine: it settles on the
 * most threads that help and probes cost ~1/probeEvery of windows. The model's first window is not measured
 * (warm-up), and each shape of step (sequences per batch) keeps its own measurements. Pure: the decode loop feeds it.
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

/** What the tuner knows about one shape of decode step (e.g. 4 sequences at once). */
interface ShapeState {
  threads: number;
  best: number;
  samples: number[];
  /** Per count: the median ms/step of its last window. */
  last: Map<number, number>;
  windowsSinceProbe: number;
  /** Windows until the next probe: doubles after each probe that lost (up to 16 × probeEvery), resets on a change. */
  interval: number;
  /** The best count's ms/step when it last won: a window 30% slower than that means the machine changed. */
  reference: number;
  probing: boolean;
  nextProbe: number;
}

export class ThreadTuner {
  readonly maxThreads: number;
  private readonly window: number;
  private readonly probeEvery: number;
  private readonly margin: number;
  /**
   * Per shape, kept while other shapes run: parallel streams ending and starting switch the shape (4, 3, 4 …
   * sequences) every few steps, and starting afresh each time probed fewer threads at every switch.
   */
  private readonly shapes = new Map<string, ShapeState>();
  private state: ShapeState;
  /**
   * Steps not measured after the model starts: its first decode steps fault in the weights and wake the pool's
   * threads (a 200 MB model's first window ran 1.7× slower on 2 threads), so a first window on all threads
   * lost to the probe of one thread, which then stayed for many windows.
   */
  private warmUp: number;

  constructor(opts: ThreadTunerOptions) {
    this.maxThreads = Math.max(1, Math.floor(opts.maxThreads));
    this.window = opts.window ?? 16;
    this.probeEvery = opts.probeEvery ?? 8;
    this.margin = opts.margin ?? 0.05;
    this.warmUp = this.window;
    this.state = this.fresh();
  }

  /** The count it settles on (current may be a probe). */
  get preferred(): number {
    return this.state.best;
  }

  /** The count the next decode step should use. */
  get current(): number {
    return this.state.threads;
  }

  /**
   * One decode step's time. `shape` names what was decoded (e.g. the number of sequences in the batch): times of
   * different shapes are not compared; each shape keeps its own measurements.
   * @returns the count for the next step (changed only at a window's end).
   */
  record(ms: number, shape: string): number {
    if (this.maxThreads === 1) return 1;
    if (this.warmUp > 0) {
      this.warmUp--;
      return this.state.threads;
    }
    let st = this.shapes.get(shape);
    if (!st) this.shapes.set(shape, (st = this.fresh(this.state.best)));
    // Each shape's window (a probe's too) goes on where it was when that shape returns: its samples stay its own.
    this.state = st;
    st.samples.push(ms);
    if (st.samples.length < this.window) return st.threads;
    const med = median(st.samples);
    st.samples = [];
    st.last.set(st.threads, med);
    if (st.probing) {
      st.probing = false;
      const bestMs = st.last.get(st.best) ?? Infinity;
      if (med < bestMs * (1 - this.margin)) {
        st.best = st.threads;
        st.reference = med;
        st.interval = this.probeEvery;
      } else {
        st.interval = Math.min(st.interval * 2, this.probeEvery * 16);
      }
      st.threads = st.best;
      return st.threads;
    }
    // The current count's own window: if it is now clearly worse than another count's last window, take that.
    for (const [n, t] of st.last) if (n !== st.best && t < med * (1 - this.margin)) st.best = n;
    if (st.best !== st.threads) st.interval = this.probeEvery;
    if (st.best === st.threads && med > st.reference * 1.3) st.interval = this.probeEvery;
    if (st.best === st.threads) st.reference = Math.min(st.reference, med);
    st.threads = st.best;
    if (++st.windowsSinceProbe >= st.interval || st.last.size === 1) {
      st.windowsSinceProbe = 0;
      st.probing = true;
      st.threads = this.nextCandidate(st);
    }
    return st.threads;
  }

  private fresh(best = this.maxThreads): ShapeState {
    return { threads: best, best, samples: [], last: new Map(), windowsSinceProbe: 0, interval: this.probeEvery, reference: Infinity, probing: false, nextProbe: 0 };
  }

  private nextCandidate(st: ShapeState): number {
    for (let i = 0; i < this.maxThreads; i++) {
      st.nextProbe = (st.nextProbe % this.maxThreads) + 1;
      if (st.nextProbe !== st.best) return st.nextProbe;
    }
    return st.best;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The benchmark harness: each benchmark runs a cortexd operation and its reference side by side, in
 * alternating rounds in one run, and reports medians and the ratio (cortexd / reference for times).
 */
export interface Benchmark {
  name: string;
  description: string;
  /** Set up once; returns the two contenders and a teardown. */
  setup(): Promise<{
    cortexd: { label: string; run: () => Promise<number | void> };
    reference: { label: string; run: () => Promise<number | void> };
    /** "time" (lower is better) or a throughput unit such as "MB/s" (higher is better). */
    unit?: string;
    rounds?: number;
    /** Uncounted rounds first (each side), for work whose speed settles over a few runs (JIT, CPU clocks). @default 1 */
    warmup?: number;
    teardown(): Promise<void>;
  }>;
}

export interface BenchResult {
  name: string;
  unit: string;
  cortexd: { label: string; median: number; samples: number[] };
  reference: { label: string; median: number; samples: number[] };
  ratio: number;
  /**
   * The median of each round's own ratio, with its interquartile range: the two runs of a round are seconds apart,
   * so a machine whose speed drifts (a shared VM swings ±15 % within a run) moves both alike and the pair's ratio
   * keeps what the medians of two separate series lose.
   */
  paired: { median: number; q1: number; q3: number };
}

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in 0..1). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

/** A run's value is what it returns (a throughput), or its wall time in ms. */
async function measure(fn: () => Promise<number | void>): Promise<number> {
  const t0 = performance.now();
  const v = await fn();
  const ms = performance.now() - t0;
  return typeof v === "number" ? v : ms;
}

export async function runBenchmark(b: Benchmark): Promise<BenchResult> {
  const s = await b.setup();
  const rounds = s.rounds ?? 5;
  const a: number[] = [];
  const r: number[] = [];
  try {
    for (let i = 0; i < (s.warmup ?? 1); i++) {
      await measure(s.cortexd.run); // warm-up, not counted
      await measure(s.reference.run);
    }
    for (let i = 0; i < rounds; i++) {
      // Alternate the order so neither side always runs on a warmer cache.
      if (i % 2 === 0) {
        a.push(await measure(s.cortexd.run));
        r.push(await measure(s.reference.run));
      } else {
        r.push(await measure(s.reference.run));
        a.push(await measure(s.cortexd.run));
      }
    }
  } finally {
    await s.teardown();
  }
  const unit = s.unit ?? "ms";
  const ma = median(a);
  const mr = median(r);
  const pairs = a.map((x, i) => x / r[i]!);
  return {
    name: b.name,
    unit,
    cortexd: { label: s.cortexd.label, median: ma, samples: a },
    reference: { label: s.reference.label, median: mr, samples: r },
    ratio: ma / mr,
    paired: { median: median(pairs), q1: quantile(pairs, 0.25), q3: quantile(pairs, 0.75) },
  };
}

export function formatResult(res: BenchResult): string {
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3));
  const better = res.unit === "ms" ? "lower is better" : "higher is better";
  return [
    `## ${res.name}`,
    `  cortexd    ${res.cortexd.label}: median ${f(res.cortexd.median)} ${res.unit} (${res.cortexd.samples.map(f).join(", ")})`,
    `  reference  ${res.reference.label}: median ${f(res.reference.median)} ${res.unit} (${res.reference.samples.map(f).join(", ")})`,
    `  ratio cortexd/reference = ${res.ratio.toFixed(3)} (${res.unit}, ${better}); per round: median ${res.paired.median.toFixed(3)}, IQR ${res.paired.q1.toFixed(3)}–${res.paired.q3.toFixed(3)}`,
  ].join("\n");
}

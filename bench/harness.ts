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
    teardown(): Promise<void>;
  }>;
}

export interface BenchResult {
  name: string;
  unit: string;
  cortexd: { label: string; median: number; samples: number[] };
  reference: { label: string; median: number; samples: number[] };
  ratio: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
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
    await measure(s.cortexd.run); // warm-up, not counted
    await measure(s.reference.run);
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
  return { name: b.name, unit, cortexd: { label: s.cortexd.label, median: ma, samples: a }, reference: { label: s.reference.label, median: mr, samples: r }, ratio: ma / mr };
}

export function formatResult(res: BenchResult): string {
  const f = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3));
  const better = res.unit === "ms" ? "lower is better" : "higher is better";
  return [
    `## ${res.name}`,
    `  cortexd    ${res.cortexd.label}: median ${f(res.cortexd.median)} ${res.unit} (${res.cortexd.samples.map(f).join(", ")})`,
    `  reference  ${res.reference.label}: median ${f(res.reference.median)} ${res.unit} (${res.reference.samples.map(f).join(", ")})`,
    `  ratio cortexd/reference = ${res.ratio.toFixed(3)} (${res.unit}, ${better})`,
  ].join("\n");
}

/** What a processor reports; the shim adds rate and ETA and throttles it to ≤ 10 updates/s. */
export interface ProgressReport {
  phase: string;
  done?: number;
  total?: number;
  unit?: "bytes" | "tensors" | "files" | "items";
  message?: string;
  current_item?: string;
  current_done?: number;
  current_total?: number;
}

export interface ProgressSnapshot extends ProgressReport {
  rate_per_second: number;
  eta_seconds: number;
}

/** Rate by exponential moving average over samples at least 200 ms apart; ETA from the remaining amount. */
export class RateMeter {
  private lastT = 0;
  private lastDone = 0;
  private rate = 0;
  private phase = "";

  constructor(private readonly now: () => number = () => performance.now()) {}

  sample(report: ProgressReport): ProgressSnapshot {
    const t = this.now();
    const done = report.done ?? 0;
    if (report.phase !== this.phase || done < this.lastDone) {
      [this.phase, this.lastT, this.lastDone, this.rate] = [report.phase, t, done, 0];
    } else if (t - this.lastT >= 200) {
      const instant = ((done - this.lastDone) * 1000) / (t - this.lastT);
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
      [this.lastT, this.lastDone] = [t, done];
    }
    const remaining = (report.total ?? 0) - done;
    return { ...report, rate_per_second: this.rate, eta_seconds: this.rate > 0 && remaining > 0 ? remaining / this.rate : 0 };
  }
}

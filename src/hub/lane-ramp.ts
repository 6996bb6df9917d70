/**
 * How many connections a file download runs: it starts with two and opens one more while the last one raised
 * the measured throughput by at least GAIN, up to the cap. A CDN that limits each connection gets the full
 * count; a link (or CPU) that one or two connections already fill keeps two, since more only add overhead.
 */
const START = 2;
/** An added connection must raise the rate by this factor to stay. */
const GAIN = 1.1;
/** Shortest measurement after a change (it starts when the new connection's first bytes arrive). */
const MIN_WINDOW_MS = 300;

export class LaneRamp {
  /** Connections wanted now. */
  target: number;
  private best = 0;
  private settled = false;
  private windowStart: number | undefined;
  private windowBytes = 0;

  constructor(private readonly max: number) {
    this.target = Math.min(START, max);
    this.settled = this.target >= max;
  }

  /** Bytes written; `fresh`: the first of a connection just opened (the measurement starts now). */
  bytes(n: number, now: number, fresh = false): void {
    if (this.settled) return;
    if (fresh || this.windowStart === undefined) [this.windowStart, this.windowBytes] = [now, 0];
    else this.windowBytes += n;
  }

  /** Called between parts; true when one more connection should open. */
  grow(now: number): boolean {
    if (this.settled || this.windowStart === undefined || now - this.windowStart < MIN_WINDOW_MS) return false;
    const rate = this.windowBytes / (now - this.windowStart);
    this.windowStart = undefined;
    if (this.best > 0 && rate < this.best * GAIN) {
      this.target--; // the last one did not pay: it closes after its part
      this.settled = true;
      return false;
    }
    this.best = rate;
    if (++this.target >= this.max) this.settled = true;
    return true;
  }
}

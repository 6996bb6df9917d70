/**
 * Stop strings over streamed text: text that could still turn into a stop string is held back until it cannot,
 * and a stop string itself is never emitted (OpenAI's and llama-server's `stop`). Pure: no tokens, only text.
 */
export class StopMatcher {
  private held = "";
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  /**
   * Adds generated text; returns what can be emitted now and whether a stop string was found (then `text` is
   * everything before it and nothing more may be emitted).
   */
  push(text: string): { text: string; stopped: boolean; hit?: string } {
    if (this.stops.length === 0) return { text, stopped: false };
    const all = this.held + text;
    let cut = -1;
    let hit = "";
    for (const s of this.stops) {
      if (s === "") continue;
      const i = all.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) {
        cut = i;
        hit = s;
      }
    }
    if (cut >= 0) {
      this.held = "";
      return { text: all.slice(0, cut), stopped: true, hit };
    }
    const keep = this.partialSuffix(all);
    this.held = all.slice(all.length - keep);
    return { text: all.slice(0, all.length - keep), stopped: false };
  }

  /** The held-back text, at the end of a generation that stopped for another reason. */
  flush(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }

  /** Length of the longest suffix of `s` that is a proper prefix of some stop string. */
  private partialSuffix(s: string): number {
    for (let n = Math.min(this.longest - 1, s.length); n > 0; n--) {
      const tail = s.slice(s.length - n);
      if (this.stops.some((stop) => stop.length > n && stop.startsWith(tail))) return n;
    }
    return 0;
  }
}

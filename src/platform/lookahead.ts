/**
 * Starts jobs a few places ahead of a consumer that takes their results one by one in a known order, so that
 * reading and quantizing the next tensors overlaps writing the current one. Memory stays bounded: at most
 * `maxJobs` unconsumed jobs and `maxBytes` of their inputs (the one being waited for always starts).
 */
export interface LookaheadJob<T> {
  key: string;
  /** Input bytes the job holds while it runs. */
  bytes: number;
  start: () => Promise<T>;
}

export class Lookahead<T> {
  private readonly position = new Map<string, number>();
  private readonly running = new Map<number, Promise<T>>();
  private next = 0;
  private bytesInFlight = 0;

  constructor(
    private readonly jobs: readonly LookaheadJob<T>[],
    private readonly maxJobs: number,
    private readonly maxBytes: number,
  ) {
    jobs.forEach((j, i) => this.position.set(j.key, i));
  }

  has(key: string): boolean {
    return this.position.has(key);
  }

  /** The result of `key`'s job (started now if it was not yet), after starting the next ones within the limits. */
  async take(key: string): Promise<T> {
    const i = this.position.get(key);
    if (i === undefined) throw new Error(`lookahead: no job "${key}"`);
    while (this.next <= i) this.launch(this.next++);
    this.fill();
    const job = this.running.get(i)!;
    try {
      return await job;
    } finally {
      this.running.delete(i);
      this.bytesInFlight -= this.jobs[i]!.bytes;
      this.fill();
    }
  }

  private fill(): void {
    while (this.next < this.jobs.length && (this.running.size === 0 || (this.running.size < this.maxJobs && this.bytesInFlight + this.jobs[this.next]!.bytes <= this.maxBytes))) {
      this.launch(this.next++);
    }
  }

  private launch(i: number): void {
    const p = this.jobs[i]!.start();
    // A job that fails before it is taken rejects there; until then it must not count as unhandled.
    p.catch(() => undefined);
    this.running.set(i, p);
    this.bytesInFlight += this.jobs[i]!.bytes;
  }
}

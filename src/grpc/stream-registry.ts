import { CortexError } from "../errors/cortex-error.js";

/** Open server streams, so shutdown can end each with UNAVAILABLE instead of leaving tryShutdown hanging. */
export class StreamRegistry {
  private readonly closers = new Set<(reason: CortexError) => void>();
  private closed = false;

  add(close: (reason: CortexError) => void): () => void {
    if (this.closed) {
      queueMicrotask(() => close(new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down")));
      return () => undefined;
    }
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  get size(): number {
    return this.closers.size;
  }

  closeAll(): void {
    this.closed = true;
    const reason = new CortexError("DAEMON_UNAVAILABLE", "cortexd is shutting down");
    for (const close of [...this.closers]) close(reason);
    this.closers.clear();
  }
}

/**
 * Rate-limits a progress callback: the first value goes out at once, later ones at most every `intervalMs`
 * (the latest value wins, delivered by a trailing timer), and `flush()` delivers what is pending now.
 * Progress becomes job updates and Redis writes; a gigabit download would otherwise emit thousands a second.
 */
export interface ProgressSampler<T> {
  push(value: T): void;
  flush(): void;
  /** Drops anything pending and stops the timer (after an error or cancel). */
  cancel(): void;
}

export function createProgressSampler<T>(fn: ((value: T) => void) | undefined, intervalMs = 100): ProgressSampler<T> {
  let last = -Infinity;
  let pending: { value: T } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emit = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const { value } = pending;
    pending = undefined;
    last = Date.now();
    try {
      fn?.(value);
    } catch {
      // progress is best-effort: a failing listener must not crash a download from a timer callback
    }
  };
  return {
    push(value) {
      if (!fn) return;
      pending = { value };
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) emit();
      else if (!timer) timer = setTimeout(emit, wait);
    },
    flush: emit,
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}

/**
 * Cleanups that run last-registered first, in one `after` hook: node:test runs `after` hooks in the order they were
 * added, so a Redis registered first would stop before the clients, daemons and workers that use it (whose closes
 * then wait on a Redis that is gone). Register it before tempDir: its folder is removed after these ran.
 */
export function cleanups(t: { after: (fn: () => Promise<void>) => void }): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of stack.reverse()) await fn();
  });
  return (fn) => void stack.push(fn);
}

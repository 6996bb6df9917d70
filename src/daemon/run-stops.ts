import type { Logger } from "../log/logger.js";

export type StopStep = { name: string; stop: () => Promise<void> | void };

/** Stops what was started, in reverse order; one failing step is logged and the others still run. */
export async function runStops(stops: readonly StopStep[], logger: Logger): Promise<void> {
  for (const { name, stop } of [...stops].reverse()) {
    try {
      await stop();
      logger.debug({ step: name }, "stopped");
    } catch (err) {
      logger.error({ step: name, err: (err as Error).message }, "error while stopping");
    }
  }
}

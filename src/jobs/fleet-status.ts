import { baseQueueOf, isFleetQueue } from "./queue-names.js";
import type { FleetWorkerInfo } from "./worker-registry.js";

export interface QueueCountsView {
  queue: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
  paused: boolean;
}

/** The words that say why a fleet queue's jobs wait: nobody consumes the queue. */
export function noWorkerNote(queue: string): string {
  if (!isFleetQueue(queue)) return "no worker of this daemon consumes this queue";
  const capability = queue.slice(queue.lastIndexOf("-") + 1);
  return `no connected worker serves ${baseQueueOf(queue)} with capability ${capability}: start one with cortex worker --queues ${baseQueueOf(queue)} --capabilities ${capability}`;
}

/** Each queue's counts with how many live worker processes consume it and, when its jobs cannot run, why. */
export function withFleetWorkers<T extends QueueCountsView>(counts: readonly T[], workers: readonly FleetWorkerInfo[] | undefined): (T & { workers: number; note: string })[] {
  return counts.map((c) => {
    const n = workers ? workers.filter((w) => w.queues.includes(c.queue)).length : 0;
    const stuck = workers !== undefined && n === 0 && c.waiting + c.delayed > 0;
    return { ...c, workers: n, note: stuck ? noWorkerNote(c.queue) : "" };
  });
}

import { Queue, type ConnectionOptions } from "bullmq";
import { FLEET_QUEUE_NAMES, QUEUE_NAMES, QUEUE_PREFIX, type FleetQueueName, type QueueName } from "./queue-names.js";

/** The local queues always; the fleet queues when the daemon shares its Redis with `cortex worker`s. */
export type Queues = Record<QueueName, Queue> & Partial<Record<FleetQueueName, Queue>>;

/** The daemon's producers, on the handle's BullMQ connection (redis-handle.ts: options, or a shared cluster client). */
export function createQueues(connection: ConnectionOptions, opts: { fleet?: boolean } = {}): Queues {
  const out = {} as Queues;
  for (const name of queueNamesOf(opts)) out[name] = new Queue(name, { connection, prefix: QUEUE_PREFIX });
  return out;
}

export function queueNamesOf(opts: { fleet?: boolean }): (QueueName | FleetQueueName)[] {
  return [...QUEUE_NAMES, ...(opts.fleet ? FLEET_QUEUE_NAMES : [])];
}

/** Every queue of a Queues record, by name. */
export function queueEntries(queues: Queues): [QueueName | FleetQueueName, Queue][] {
  return Object.entries(queues).filter((e): e is [QueueName | FleetQueueName, Queue] => e[1] !== undefined);
}

export async function queueCounts(queues: Queues): Promise<{ queue: string; waiting: number; active: number; completed: number; failed: number; delayed: number; paused: boolean }[]> {
  return Promise.all(
    queueEntries(queues).map(async ([name, queue]) => {
      const c = await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed");
      return { queue: name, waiting: c.waiting ?? 0, active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0, paused: await queue.isPaused() };
    }),
  );
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(queueEntries(queues).map(([, q]) => q.close()));
}

import { Queue, type ConnectionOptions } from "bullmq";
import type { RedisOptions } from "ioredis";
import { QUEUE_NAMES, QUEUE_PREFIX, type QueueName } from "./queue-names.js";

export type Queues = Record<QueueName, Queue>;

/** The daemon's producers. BullMQ is handed options (not instances) so it owns and closes its connections. */
export function createQueues(connection: RedisOptions): Queues {
  const out = {} as Queues;
  for (const name of QUEUE_NAMES) out[name] = new Queue(name, { connection: connection as ConnectionOptions, prefix: QUEUE_PREFIX });
  return out;
}

export async function queueCounts(queues: Queues): Promise<{ queue: string; waiting: number; active: number; completed: number; failed: number; delayed: number; paused: boolean }[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const c = await queues[name].getJobCounts("waiting", "active", "completed", "failed", "delayed");
      return { queue: name, waiting: c.waiting ?? 0, active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0, paused: await queues[name].isPaused() };
    }),
  );
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

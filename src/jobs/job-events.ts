import { EventEmitter } from "node:events";
import { QueueEvents, type ConnectionOptions } from "bullmq";
import { QUEUE_NAMES, QUEUE_PREFIX, type AnyQueueName } from "./queue-names.js";

/**
 * One QueueEvents reader per queue, fanned out by job id: WatchJob streams subscribe to "job:<id>" and get a
 * nudge on every progress or state change (they then read the job's current state, so missed events are harmless).
 */
export class JobEvents extends EventEmitter {
  private readonly readers: QueueEvents[] = [];

  constructor(connection: ConnectionOptions, queues: readonly AnyQueueName[] = QUEUE_NAMES) {
    super();
    this.setMaxListeners(0);
    for (const queue of queues) {
      const qe = new QueueEvents(queue, { connection, prefix: QUEUE_PREFIX });
      for (const event of ["progress", "active", "waiting", "completed", "failed", "delayed", "removed", "stalled", "retries-exhausted"] as const) {
        qe.on(event, (args: { jobId: string }) => this.emit(`job:${args.jobId}`, event));
      }
      qe.on("error", () => undefined); // ioredis reconnects by itself
      this.readers.push(qe);
    }
  }

  async ready(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.close()));
  }
}

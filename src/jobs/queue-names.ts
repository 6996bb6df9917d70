/** BullMQ queues, one per kind of long work. Workers for each run in worker processes (workers/). */
export const QUEUE_NAMES = ["downloads", "conversions", "quantizations"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Key prefix in Redis, so an external Redis shared with other apps stays tidy. */
export const QUEUE_PREFIX = "cortex";

/** BullMQ queues, one per kind of long work. Workers for each run in worker processes (workers/). */
export const QUEUE_NAMES = ["downloads", "conversions", "quantizations"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Key prefix in Redis, so an external Redis shared with other apps stays tidy. The braces are a Redis Cluster hash
 * tag: every key of every queue (and of the fleet) hashes to one slot, so BullMQ's multi-key Lua scripts — flows
 * span queues — never meet CROSSSLOT on a cluster. One tag for everything: a flow's parent and children must share
 * a slot.
 */
export const QUEUE_PREFIX = "{cortex}";
/** The prefix of cortexd before the hash tag; its keys are renamed at boot (legacy-prefix-migration.ts). */
export const LEGACY_QUEUE_PREFIX = "cortex";

/**
 * Fleet routing, by BullMQ's own means: one queue per (kind of work, capability). A `cortex worker` started with
 * `--queues conversions --capabilities mlx` consumes `conversions-mlx` and nothing else; jobs whose output goes to
 * a shared root or the Hub go there. Jobs for the submitting daemon's own home stay on the local queues above,
 * which only that daemon's workers consume.
 */
export const CAPABILITIES = ["gguf", "mlx"] as const;
export type Capability = (typeof CAPABILITIES)[number];
export const FLEET_BASE_QUEUES = ["conversions", "quantizations"] as const;
export type FleetBaseQueue = (typeof FLEET_BASE_QUEUES)[number];
export type FleetQueueName = `${FleetBaseQueue}-${Capability}`;
export const FLEET_QUEUE_NAMES: readonly FleetQueueName[] = FLEET_BASE_QUEUES.flatMap((q) => CAPABILITIES.map((c) => `${q}-${c}` as const));
export type AnyQueueName = QueueName | FleetQueueName;

export function fleetQueue(base: FleetBaseQueue, capability: Capability): FleetQueueName {
  return `${base}-${capability}`;
}

export function isFleetQueue(name: string): name is FleetQueueName {
  return (FLEET_QUEUE_NAMES as readonly string[]).includes(name);
}

export function isCapability(name: string): name is Capability {
  return (CAPABILITIES as readonly string[]).includes(name);
}

/** The local queue whose processor a queue's jobs run with (a fleet queue runs its base queue's processor). */
export function baseQueueOf(name: AnyQueueName): QueueName {
  return isFleetQueue(name) ? (name.slice(0, name.lastIndexOf("-")) as FleetBaseQueue) : name;
}

/** Redis keys of the fleet itself (worker registry, cancel broadcast), beside the queues' keys. */
export const FLEET_KEYS = {
  workers: `${QUEUE_PREFIX}:fleet:workers`,
  worker: (id: string) => `${QUEUE_PREFIX}:fleet:worker:${id}`,
  cancelChannel: `${QUEUE_PREFIX}:fleet:cancel`,
  cancelMark: (jobId: string) => `${QUEUE_PREFIX}:fleet:cancelled:${jobId}`,
};

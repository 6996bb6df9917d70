import { isCapability, fleetQueue, type AnyQueueName, type Capability, type FleetBaseQueue, type QueueName } from "./queue-names.js";

/** Each kind of job: its queue, its id prefix (ids say which queue holds them) and its proto enum. */
export const JOB_KINDS = {
  pull: { queue: "downloads", prefix: "pull", type: "JOB_TYPE_PULL" },
  convert: { queue: "conversions", prefix: "conv", type: "JOB_TYPE_CONVERT" },
  quantize: { queue: "quantizations", prefix: "quant", type: "JOB_TYPE_QUANTIZE" },
  fuse: { queue: "conversions", prefix: "fuse", type: "JOB_TYPE_FUSE" },
  flow: { queue: "conversions", prefix: "flow", type: "JOB_TYPE_FLOW" },
  // On the downloads queue: its worker holds the Hub token (conversions and quantizations never get it).
  push: { queue: "downloads", prefix: "push", type: "JOB_TYPE_PUSH" },
} as const satisfies Record<string, { queue: QueueName; prefix: string; type: string }>;

export type JobKind = keyof typeof JOB_KINDS;
/** Kinds a fleet worker runs (their inputs and outputs can live anywhere). */
export type FleetJobKind = "convert" | "quantize";

export function isJobKind(name: string): name is JobKind {
  return Object.prototype.hasOwnProperty.call(JOB_KINDS, name);
}

/**
 * Job ids look like "pull-3f9c2a1b7d4e" (or "conv-mlx-3f9c…" on a fleet queue): never integer-like, no ':'
 * (BullMQ rules), queue derivable. The random part is hex, so a capability word never looks like it.
 */
export function newJobId(kind: JobKind, capability?: Capability): string {
  return `${JOB_KINDS[kind].prefix}-${capability ? `${capability}-` : ""}${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
}

export function queueOfJobId(jobId: string): AnyQueueName | undefined {
  const [prefix, second] = jobId.split("-");
  for (const k of Object.values(JOB_KINDS)) {
    if (k.prefix !== prefix) continue;
    if (second !== undefined && isCapability(second)) return k.queue === "downloads" ? undefined : fleetQueue(k.queue as FleetBaseQueue, second);
    return k.queue;
  }
  return undefined;
}

import type { QueueName } from "./queue-names.js";

/** Each kind of job: its queue, its id prefix (ids say which queue holds them) and its proto enum. */
export const JOB_KINDS = {
  pull: { queue: "downloads", prefix: "pull", type: "JOB_TYPE_PULL" },
  convert: { queue: "conversions", prefix: "conv", type: "JOB_TYPE_CONVERT" },
  quantize: { queue: "quantizations", prefix: "quant", type: "JOB_TYPE_QUANTIZE" },
  fuse: { queue: "conversions", prefix: "fuse", type: "JOB_TYPE_FUSE" },
  flow: { queue: "conversions", prefix: "flow", type: "JOB_TYPE_FLOW" },
} as const satisfies Record<string, { queue: QueueName; prefix: string; type: string }>;

export type JobKind = keyof typeof JOB_KINDS;

export function isJobKind(name: string): name is JobKind {
  return Object.prototype.hasOwnProperty.call(JOB_KINDS, name);
}

/** Job ids look like "pull-3f9c2a1b7d4e": never integer-like, no ':' (BullMQ rules), queue derivable. */
export function newJobId(kind: JobKind): string {
  return `${JOB_KINDS[kind].prefix}-${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
}

export function queueOfJobId(jobId: string): QueueName | undefined {
  const prefix = jobId.split("-")[0];
  for (const k of Object.values(JOB_KINDS)) if (k.prefix === prefix) return k.queue;
  return undefined;
}

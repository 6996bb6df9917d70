import { createRedisClient, type RedisClient, type RedisTarget } from "../redis/redis-target.js";
import { FLEET_KEYS } from "./queue-names.js";

/** How long a cancel is remembered for a job no worker holds right now (one whose worker died, awaiting its stall). */
const CANCEL_MARK_TTL_S = 24 * 3600;

export interface CancelMessage {
  jobId: string;
  reason: string;
}

/**
 * Cancels across processes: BullMQ's worker.cancelJob reaches only the process running the job, so a cancel is
 * published on one Redis channel every worker process listens to (the owner acts, the others ignore it) and
 * remembered in a key for a job that is between owners (its worker died; the next one checks at pick-up).
 */
export class CancelBus {
  private readonly sub: RedisClient;
  private readonly pub: RedisClient;
  private readonly handlers = new Set<(m: CancelMessage) => void>();
  private subscribed: Promise<unknown> | undefined;

  /** On a cluster, PUBLISH reaches subscribers on every node, so the subscriber may sit on any. */
  constructor(target: RedisTarget) {
    this.sub = createRedisClient(target, { maxRetriesPerRequest: null, lazyConnect: false });
    this.pub = createRedisClient(target, { maxRetriesPerRequest: 1 });
    for (const c of [this.sub, this.pub]) c.on("error", () => undefined); // ioredis reconnects (and resubscribes) by itself
    this.sub.on("message", (_channel: string, raw: string) => {
      let m: CancelMessage;
      try {
        m = JSON.parse(raw) as CancelMessage;
      } catch {
        return;
      }
      if (typeof m?.jobId !== "string") return;
      for (const h of this.handlers) h(m);
    });
  }

  /** Starts listening; resolves once subscribed (a cancel published earlier is found through the mark). */
  async listen(handler: (m: CancelMessage) => void): Promise<void> {
    this.handlers.add(handler);
    this.subscribed ??= this.sub.subscribe(FLEET_KEYS.cancelChannel);
    await this.subscribed;
  }

  /** Remembers the cancel, then tells every worker process. */
  async publish(m: CancelMessage): Promise<void> {
    await this.pub.set(FLEET_KEYS.cancelMark(m.jobId), m.reason, "EX", CANCEL_MARK_TTL_S);
    await this.pub.publish(FLEET_KEYS.cancelChannel, JSON.stringify(m));
  }

  /** The reason a job was cancelled with, when it was (checked when a worker picks a job up). */
  async cancelledReason(jobId: string): Promise<string | undefined> {
    return (await this.pub.get(FLEET_KEYS.cancelMark(jobId))) ?? undefined;
  }

  close(): void {
    this.sub.disconnect();
    this.pub.disconnect();
  }
}

import type { RedisClient } from "../redis/redis-target.js";
import { FLEET_KEYS } from "./queue-names.js";

/** One worker process of the fleet, as `cortex status` lists it (a daemon's own workers count as one). */
export interface FleetWorkerInfo {
  id: string;
  role: "daemon" | "worker";
  host: string;
  pid: number;
  version: string;
  queues: string[];
  capabilities: string[];
  shared_roots: string[];
  running_job_ids: string[];
  started_at: string;
  last_heartbeat: string;
}

/** A worker missing this long is gone (killed, machine down): it leaves the list; its jobs come back by stall. */
export const HEARTBEAT_TTL_MS = 15_000;
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Each worker process writes its record every few seconds (a key that expires, and its score in one sorted set);
 * readers list the records whose heartbeat is fresh. No process of its own: a stopped worker deletes its record,
 * a killed one expires.
 */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: RedisClient,
    private readonly info: Omit<FleetWorkerInfo, "running_job_ids" | "last_heartbeat">,
    private readonly running: () => string[],
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void (this.beating = this.beat().catch(() => undefined)), HEARTBEAT_EVERY_MS);
    this.timer.unref();
  }

  /** Writes the record now (also called when the running jobs change, so status follows closely). */
  async beat(): Promise<void> {
    const now = Date.now();
    const record: FleetWorkerInfo = { ...this.info, running_job_ids: this.running(), last_heartbeat: new Date(now).toISOString() };
    await this.redis
      .multi()
      .set(FLEET_KEYS.worker(this.info.id), JSON.stringify(record), "PX", HEARTBEAT_TTL_MS)
      .zadd(FLEET_KEYS.workers, now, this.info.id)
      .exec();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.redis.multi().del(FLEET_KEYS.worker(this.info.id)).zrem(FLEET_KEYS.workers, this.info.id).exec().catch(() => undefined);
  }
}

/** The workers with a fresh heartbeat, daemons first, then by host; forgets the stale ones. */
export async function listFleetWorkers(redis: RedisClient, now = Date.now()): Promise<FleetWorkerInfo[]> {
  await redis.zremrangebyscore(FLEET_KEYS.workers, "-inf", String(now - HEARTBEAT_TTL_MS));
  const ids = await redis.zrange(FLEET_KEYS.workers, "0", "-1");
  // One GET each (not MGET): the keys may sit in different cluster slots.
  const raws = await Promise.all(ids.map((id) => redis.get(FLEET_KEYS.worker(id))));
  return raws
    .filter((r): r is string => r !== null)
    .map((r) => JSON.parse(r) as FleetWorkerInfo)
    .sort((a, b) => a.role.localeCompare(b.role) || a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
}

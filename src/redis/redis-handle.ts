import type { ConnectionOptions } from "bullmq";
import type { Logger } from "../log/logger.js";
import { redactRedisUrl, redisTargetFrom } from "./connection-options.js";
import { EmbeddedRedis } from "./embedded-redis.js";
import { createRedisClient, mastersOf, singleRedis, type RedisClient, type RedisTarget } from "./redis-target.js";

/** What the rest of the daemon needs to know about Redis, embedded or external, one server or a cluster. */
export interface RedisHandle {
  mode: "embedded" | "external";
  /** An external Redis Cluster (config redisCluster). */
  cluster: boolean;
  /** Redacted address for status and logs. */
  address: string;
  /** For clients of their own (the cancel bus's pub/sub). */
  target: RedisTarget;
  /**
   * BullMQ's `connection` for Queue, Worker, QueueEvents and FlowProducer. One server: ioredis options, so BullMQ
   * owns and closes its connections. A cluster: one shared ioredis Cluster (BullMQ duplicates it for its blocking
   * connections and owns those; this handle closes the shared one last). maxRetriesPerRequest null: BullMQ
   * refuses anything else for a Worker's connection.
   */
  bullmq: ConnectionOptions;
  /** A shared client for status queries; reconnects by itself. */
  client: RedisClient;
  restarts(): number;
  /** Connected, the embedded child alive, and the watchdog's last PING (every master's, on a cluster) answered within the stall bound. */
  healthy(): boolean;
  version(): Promise<string>;
  stop(): Promise<void>;
}

const reconnect = (n: number) => Math.min(n * 200, 2000);

/**
 * `options` are extra ioredis options for an external Redis (config redisOptions): Sentinel's `sentinels` and
 * `name`, TLS material, timeouts. They win over what the URL says. `cluster`: the URL names a seed node of a
 * Redis Cluster, and `options` apply to every node.
 */
export async function startRedis(opts: { url: string; options?: Record<string, unknown>; cluster?: boolean; binary: string; dir: string; socket: string; logger: Logger }): Promise<RedisHandle> {
  const embedded = opts.url ? undefined : await EmbeddedRedis.start({ binary: opts.binary, dir: opts.dir, socket: opts.socket, logger: opts.logger });
  const target: RedisTarget = embedded ? singleRedis({ path: opts.socket }) : redisTargetFrom(opts.url, opts.options ?? {}, opts.cluster ?? false);
  const client = createRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: reconnect });
  // Reported through healthy(); ioredis retries by itself. The last one says why a first connection failed: a
  // refused AUTH or TLS handshake surfaces from connect() only as "Connection is closed".
  let lastError: Error | undefined;
  client.on("error", (err: Error) => (lastError = err));
  if (embedded) await client.connect();
  else {
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      const { CortexError } = await import("../errors/cortex-error.js");
      const why = lastError && lastError.message !== (err as Error).message ? `${lastError.message} (${(err as Error).message})` : (err as Error).message;
      throw new CortexError("REDIS_UNAVAILABLE", `cannot reach Redis${target.cluster ? " Cluster" : ""} at ${redactRedisUrl(opts.url)}: ${why}`);
    }
  }
  const shared = target.cluster ? createRedisClient(target, { maxRetriesPerRequest: null }) : undefined;
  shared?.on("error", () => undefined); // BullMQ's own listeners report; ioredis reconnects by itself
  const watchdog = new RedisWatchdog(target);
  return {
    mode: embedded ? "embedded" : "external",
    cluster: target.cluster,
    address: embedded ? opts.socket : redactRedisUrl(opts.url),
    target,
    bullmq: shared ?? (target.options as ConnectionOptions),
    client,
    restarts: () => embedded?.restarts ?? 0,
    healthy: () => client.status === "ready" && (embedded ? embedded.healthy : true) && !watchdog.stalled,
    async version() {
      const info = await client.info("server");
      return /redis_version:(\S+)/.exec(info)?.[1] ?? "";
    },
    async stop() {
      watchdog.stop();
      client.disconnect();
      shared?.disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * A PING unanswered this long means Redis is stalled (SIGSTOP, a disk that blocks its fsync, swapping) — or four
 * times the slowest of the recent answers, whichever is longer: a Redis that is only busy (1,000 jobs queued on a
 * loaded machine answered PING in over a second) must not read as frozen.
 */
export const REDIS_STALL_MS = 750;
const RECENT_PINGS = 16;
/** However slow Redis has been, a PING unanswered for 2 s is a stall (the promise: answers within about a second). */
const MAX_STALL_MS = 2_000;

function stallThreshold(recent: readonly number[]): number {
  const sorted = [...recent].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
  return Math.min(MAX_STALL_MS, Math.max(REDIS_STALL_MS, 4 * median));
}
const WATCH_EVERY_MS = 250;

/**
 * Notices a frozen Redis within about a second: a connected socket that answers nothing looks healthy to ioredis,
 * and every call waited for its bound (10 s) — `cortex status` and job RPCs included (#20 item 10). Its own
 * connection, so a queue of slow commands on the shared client does not read as a stall.
 */
class RedisWatchdog {
  stalled = false;
  private readonly recent: number[] = [];
  private readonly client: RedisClient;
  private readonly timer: NodeJS.Timeout;
  private sentAt = 0;

  constructor(target: RedisTarget) {
    this.client = createRedisClient(target, { lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: reconnect, enableOfflineQueue: false });
    this.client.on("error", () => undefined);
    this.timer = setInterval(() => this.tick(), WATCH_EVERY_MS);
    this.timer.unref();
  }

  private tick(): void {
    if (this.sentAt) {
      if (Date.now() - this.sentAt > stallThreshold(this.recent)) this.stalled = true;
      return; // one round of PINGs in flight at a time
    }
    if (this.client.status !== "ready") return; // a closed socket is the connection state's to report
    // On a cluster every master answers, each on its own connection: the queues' slot lives on one of them, but
    // pub/sub and status queries may go to any.
    const nodes = mastersOf(this.client).filter((n) => n.status === "ready");
    if (nodes.length === 0) return;
    this.sentAt = Date.now();
    const sent = this.sentAt;
    Promise.all(nodes.map((n) => n.ping())).then(
      () => {
        this.recent.push(Date.now() - sent);
        if (this.recent.length > RECENT_PINGS) this.recent.shift();
        this.sentAt = 0;
        this.stalled = false;
      },
      () => {
        this.sentAt = 0;
      },
    );
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.disconnect();
  }
}

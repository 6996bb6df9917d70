import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../log/logger.js";
import { redisOptionsFromUrl, redactRedisUrl } from "./connection-options.js";
import { EmbeddedRedis } from "./embedded-redis.js";

/** What the rest of the daemon needs to know about Redis, embedded or external. */
export interface RedisHandle {
  mode: "embedded" | "external";
  /** Redacted address for status and logs. */
  address: string;
  connection: RedisOptions;
  /** A shared client for status queries; reconnects by itself. */
  client: Redis;
  restarts(): number;
  healthy(): boolean;
  version(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `options` are extra ioredis options for an external Redis (config redisOptions): Sentinel's `sentinels` and
 * `name`, TLS material, timeouts. They win over what the URL says.
 */
export async function startRedis(opts: { url: string; options?: Record<string, unknown>; binary: string; dir: string; socket: string; logger: Logger }): Promise<RedisHandle> {
  const embedded = opts.url ? undefined : await EmbeddedRedis.start({ binary: opts.binary, dir: opts.dir, socket: opts.socket, logger: opts.logger });
  const connection: RedisOptions = embedded ? { path: opts.socket } : { ...redisOptionsFromUrl(opts.url), ...(opts.options as RedisOptions) };
  const client = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 200, 2000) });
  client.on("error", () => undefined); // reported through healthy(); ioredis retries by itself
  if (embedded) await client.connect();
  else {
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      const { CortexError } = await import("../errors/cortex-error.js");
      throw new CortexError("REDIS_UNAVAILABLE", `cannot reach Redis at ${redactRedisUrl(opts.url)}: ${(err as Error).message}`);
    }
  }
  return {
    mode: embedded ? "embedded" : "external",
    address: embedded ? opts.socket : redactRedisUrl(opts.url),
    connection,
    client,
    restarts: () => embedded?.restarts ?? 0,
    healthy: () => client.status === "ready" && (embedded ? embedded.healthy : true),
    async version() {
      const info = await client.info("server");
      return /redis_version:(\S+)/.exec(info)?.[1] ?? "";
    },
    async stop() {
      client.disconnect();
      await embedded?.stop();
    },
  };
}

import type { RedisOptions } from "ioredis";
import { CortexError } from "../errors/cortex-error.js";
import { singleRedis, type RedisTarget } from "./redis-target.js";

/**
 * ioredis options for a CORTEX_REDIS_URL (redis://, rediss://, unix:///path, or a bare socket path).
 * BullMQ is given options, not instances, so it owns and closes its own connections.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  if (url.startsWith("/") || url.startsWith("unix:")) {
    const socketPath = url.startsWith("unix:") ? new URL(url).pathname : url;
    return { path: socketPath };
  }
  const u = new URL(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`unsupported Redis URL scheme "${u.protocol}" (use redis://, rediss:// or a unix socket path)`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** The URL with any password removed, for logs and status. */
export function redactRedisUrl(url: string): string {
  if (url.startsWith("/") || url.startsWith("unix:")) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}

/**
 * The external Redis as a target: one server, or (`cluster`) a Redis Cluster whose seed node the URL names. A
 * cluster has only database 0 and no unix sockets; the URL's credentials and TLS apply to every node.
 */
export function redisTargetFrom(url: string, options: Record<string, unknown>, cluster: boolean): RedisTarget {
  const fromUrl = redisOptionsFromUrl(url);
  if (!cluster) return singleRedis({ ...fromUrl, ...(options as RedisOptions) });
  const { host, port, path: socketPath, db, ...rest } = fromUrl;
  if (socketPath !== undefined) throw new CortexError("CFG_INVALID", `redisCluster: a Redis Cluster is reached over TCP (redis:// or rediss://), not the unix socket ${url}`);
  if (db !== undefined && db !== 0) throw new CortexError("CFG_INVALID", `redisCluster: a Redis Cluster has only database 0, not ${db} (${redactRedisUrl(url)})`);
  return { cluster: true, nodes: [{ host: host ?? "127.0.0.1", port: port ?? 6379 }], options: { ...rest, ...(options as RedisOptions) } };
}

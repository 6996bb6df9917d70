import type { RedisOptions } from "ioredis";

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

import { Cluster, Redis, type ClusterNode, type RedisOptions } from "ioredis";

/**
 * Where Redis is: one server (ioredis options: a socket path, or host/port with credentials and TLS), or a Redis
 * Cluster reached through a seed node (ioredis finds the other nodes with CLUSTER SLOTS). For a cluster, `options`
 * are what every node connection gets (credentials, TLS, timeouts).
 */
export type RedisTarget = { cluster: false; options: RedisOptions } | { cluster: true; nodes: ClusterNode[]; options: RedisOptions };

/** A client of one server or of the cluster; the commands cortexd uses are the same on both. */
export type RedisClient = Redis | Cluster;

export function singleRedis(options: RedisOptions): RedisTarget {
  return { cluster: false, options };
}

/**
 * Per-client ioredis settings. On a cluster, `retryStrategy` becomes the cluster's reconnect strategy (ioredis
 * reconnects the cluster as a whole, not node by node) and the offline queue and lazy connect are the cluster's.
 */
export interface ClientSettings {
  maxRetriesPerRequest?: number | null;
  retryStrategy?: (times: number) => number | null;
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
}

/** A new client of the target; its owner disconnects it. */
export function createRedisClient(target: RedisTarget, settings: ClientSettings = {}): RedisClient {
  if (!target.cluster) return new Redis({ ...target.options, ...settings });
  const { retryStrategy, lazyConnect, enableOfflineQueue, maxRetriesPerRequest } = settings;
  return new Cluster(target.nodes, {
    redisOptions: { ...target.options, ...(maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest } : {}), ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}) },
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? undefined } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
  });
}

/** The connections a health check must hear from: the server, or every master of the cluster. */
export function mastersOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes("master") : [client];
}

import { migrateLegacyPrefix } from "../jobs/legacy-prefix-migration.js";
import { LEGACY_QUEUE_PREFIX, QUEUE_PREFIX } from "../jobs/queue-names.js";
import type { Logger } from "../log/logger.js";
import type { RedisHandle } from "../redis/redis-handle.js";

/** At boot, before any Queue or Worker: an older cortexd's jobs move to the hash-tagged prefix (once). */
export async function moveLegacyKeys(redis: RedisHandle, logger: Logger): Promise<void> {
  const { moved } = await migrateLegacyPrefix(redis.client);
  if (moved > 0) logger.info({ keys: moved, from: `${LEGACY_QUEUE_PREFIX}:`, to: `${QUEUE_PREFIX}:` }, "moved the jobs of an older cortexd to the new Redis key prefix");
}

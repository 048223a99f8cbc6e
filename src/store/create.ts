// The catalog store the settings ask for: RedisStore when a Redis target is
// configured (REDIS_URL, Sentinel or Cluster, read in config/env.ts),
// otherwise the embedded MemoryStore. Async so the Redis client can be
// loaded only when it is used.
import type { Settings } from '../config/env.js'
import { MemoryStore } from './memory-store.js'
import { RedisStore } from './redis-store.js'
import { redisTargetOf } from './redis-connection.js'
import type { CatalogStore } from './types.js'

export async function createStore(settings: Settings): Promise<CatalogStore> {
  const target = redisTargetOf(settings)
  if (target === undefined) return new MemoryStore({ dataDir: settings.dataDir })
  return new RedisStore({ target, prefix: settings.redisPrefix })
}

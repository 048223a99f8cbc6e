// The store the settings ask for: RedisStore with a Redis target (one node,
// Sentinel or Cluster), else the embedded MemoryStore. RedisStore (and with
// it ioredis) is imported only then, so a start without Redis never loads it.
import type { Settings } from '../config/env.js'
import { MemoryStore } from './memory-store.js'
import { redisTargetOf } from '../config/redis-target.js'
import type { CatalogStore } from './types.js'

export async function createStore(settings: Pick<Settings, 'dataDir' | 'redisUrl' | 'redisTarget' | 'redisPrefix'>): Promise<CatalogStore> {
  const target = redisTargetOf(settings)
  if (target === undefined) return new MemoryStore({ dataDir: settings.dataDir })
  const { RedisStore } = await import('./redis-store.js')
  return new RedisStore({ target, prefix: settings.redisPrefix })
}

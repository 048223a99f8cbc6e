// How to talk to Redis (where it is: redis-target.ts). Loaded only when
// Redis is configured (dynamic imports in store/create.ts and ops/limits.ts).
// The connection fails fast while Redis is down (no offline queue, no
// per-request retries) so writes answer 503 at once instead of hanging.
import { Redis, Cluster, type RedisOptions } from 'ioredis'
import type { RedisTarget } from '../config/redis-target.js'

export { redisTargetFromEnv, parseHostList, type RedisTarget } from '../config/redis-target.js'

export interface ConnectionTuning {
  keyPrefix: string
  commandTimeoutMs: number
}

/**
 * Cluster and Redis share the command surface the store uses; the store is
 * typed against Redis and a Cluster is handed over behind that type.
 */
export function createRedisClient(target: RedisTarget, tuning: ConnectionTuning): Redis {
  const options: RedisOptions = {
    keyPrefix: tuning.keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: tuning.commandTimeoutMs,
    connectTimeout: 5000,
    // keep trying forever, at most every 1 s: instances heal without restart
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    connectionName: 'dachportal',
  }
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, options)
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.password ? { password: target.password, sentinelPassword: target.password } : {}),
      })
    case 'cluster':
      // a prefixed client (the store) needs a hash tag, e.g. "{dachportal}:", so a
      // write's keys share one slot; an unprefixed one (rate-limit counters,
      // one key per script) lets its keys spread over the shards
      if (tuning.keyPrefix !== '' && !/\{[^}]+\}/.test(tuning.keyPrefix)) {
        throw new Error('Redis Cluster needs a hash-tagged key prefix, e.g. REDIS_PREFIX="{dachportal}:"')
      }
      return new Cluster(target.nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        keyPrefix: tuning.keyPrefix,
        clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
        redisOptions: { ...options, ...(target.password ? { password: target.password } : {}) },
      }) as unknown as Redis
  }
}

/**
 * A second connection for SUBSCRIBE (a subscribed connection can do nothing
 * else): it queues while reconnecting and never times out, since it only
 * waits for messages. A single node does not resubscribe by itself: the
 * owner does, so that a failed SUBSCRIBE is the owner's to handle (a Cluster
 * picks a subscriber node and resubscribes it itself, catching failures).
 * ioredis' Cluster.duplicate takes (startupNodes, options), Redis.duplicate
 * (options): handing Redis options to a Cluster would be read as seed nodes
 * and silently ignored.
 */
export function createSubscriber(client: Redis): Redis {
  if (client instanceof Cluster) {
    const cluster = client as Cluster
    return cluster.duplicate([], {
      enableOfflineQueue: true,
      redisOptions: { ...cluster.options.redisOptions, maxRetriesPerRequest: null, commandTimeout: undefined },
    }) as unknown as Redis
  }
  return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, autoResubscribe: false })
}

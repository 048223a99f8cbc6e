// Where Redis is and how to talk to it: one node (REDIS_URL), Sentinel
// (REDIS_SENTINELS + REDIS_SENTINEL_NAME) or Cluster (REDIS_CLUSTER_NODES).
// The connection fails fast while Redis is down (no offline queue, no
// per-request retries) so writes answer 503 at once instead of hanging.
import { Redis, Cluster, type RedisOptions } from 'ioredis'

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; password?: string }

/** The Redis target from env, or undefined for the embedded store. */
export function redisTargetFromEnv(env: NodeJS.ProcessEnv): RedisTarget | undefined {
  if (env.REDIS_SENTINELS) {
    const name = env.REDIS_SENTINEL_NAME
    if (!name) throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME (the master group name)')
    return { kind: 'sentinel', sentinels: parseHostList(env.REDIS_SENTINELS, 26379), name, ...password(env) }
  }
  if (env.REDIS_CLUSTER_NODES) {
    return { kind: 'cluster', nodes: parseHostList(env.REDIS_CLUSTER_NODES, 6379), ...password(env) }
  }
  if (env.REDIS_URL) return { kind: 'single', url: env.REDIS_URL }
  return undefined
}

/**
 * The target from settings: Sentinel or Cluster win over REDIS_URL, as
 * documented; otherwise redisUrl (which tests may override) is a single node.
 */
export function redisTargetOf(settings: { redisTarget?: RedisTarget; redisUrl?: string }): RedisTarget | undefined {
  if (settings.redisTarget && settings.redisTarget.kind !== 'single') return settings.redisTarget
  return settings.redisUrl ? { kind: 'single', url: settings.redisUrl } : undefined
}

function password(env: NodeJS.ProcessEnv): { password?: string } {
  return env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}
}

export function parseHostList(list: string, defaultPort: number): { host: string; port: number }[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(entry)
      if (!match?.[1]) throw new Error(`bad host:port "${entry}"`)
      return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort }
    })
}

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
 * waits for messages. ioredis' Cluster.duplicate takes (startupNodes,
 * options), Redis.duplicate (options): handing Redis options to a Cluster
 * would be read as seed nodes and silently ignored.
 */
export function createSubscriber(client: Redis): Redis {
  if (client instanceof Cluster) {
    const cluster = client as Cluster
    return cluster.duplicate([], {
      enableOfflineQueue: true,
      redisOptions: { ...cluster.options.redisOptions, maxRetriesPerRequest: null, commandTimeout: undefined },
    }) as unknown as Redis
  }
  return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
}

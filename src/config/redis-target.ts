// Where Redis is: one node (REDIS_URL), Sentinel (REDIS_SENTINELS +
// REDIS_SENTINEL_NAME) or Cluster (REDIS_CLUSTER_NODES). Apart from the
// connection factory (redis-connection.ts) so that reading the settings does
// not load ioredis: a start without Redis never loads it (cold start).

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

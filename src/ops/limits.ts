// Abuse limits: per-client rate budgets (public API, suggest, proxy, admin),
// load shedding under event-loop/memory pressure, and server timeouts.
// Budgets are counted in Redis when one is configured (single node, Sentinel
// or Cluster, through the store's connection factory), so they hold across
// instances; Redis trouble fails open (reads must not depend on Redis).
import fp from 'fastify-plugin'
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import type { Redis } from 'ioredis'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { Settings } from '../config/env.js'
import { errors, problemOf } from '../http/problem.js'
import { clientNetwork } from '../http/client-key.js'
import { redisTargetOf } from '../config/redis-target.js'
import { RATE_LIMIT_EXEMPT, SHEDDING_EXEMPT } from './exempt-paths.js'

type Bucket = 'api' | 'fitConnect' | 'suggest' | 'proxy' | 'admin' | 'ops'

type LimitSettings = Pick<Settings, 'rateLimit' | 'rateLimitWindowMs' | 'rateLimits' | 'pressure' | 'timeouts' | 'redisUrl' | 'redisTarget' | 'redisPrefix'>

interface LimitsOptions {
  settings: LimitSettings
}

/** Which budget a request spends: by route prefix, never by raw query. */
function bucketOf(request: FastifyRequest): Bucket {
  const path = request.routeOptions.url ?? request.url.split('?', 1)[0] ?? ''
  if (RATE_LIMIT_EXEMPT.has(path)) return 'ops'
  if (path.startsWith('/api/v1/admin/')) return 'admin'
  if (path === '/api/v1/suggest') return 'suggest'
  if (path.startsWith('/fit-connect/')) return 'fitConnect'
  if (path.startsWith('/cities/')) return 'proxy'
  return 'api'
}

/** Node server timeouts; Fastify's own options are constructor-only, the server's are not. */
function applyServerTimeouts(server: Server, timeouts: Settings['timeouts']): void {
  server.requestTimeout = timeouts.requestMs
  // Node wants headersTimeout <= requestTimeout when both are set
  server.headersTimeout = timeouts.requestMs > 0 ? Math.min(timeouts.headersMs, timeouts.requestMs) : timeouts.headersMs
  server.keepAliveTimeout = timeouts.keepAliveMs
  if (timeouts.connectionMs > 0) server.setTimeout(timeouts.connectionMs)
}

async function rateLimitRedis(settings: LimitSettings): Promise<Redis | undefined> {
  const target = redisTargetOf(settings)
  if (target === undefined) return undefined
  // loaded only with Redis configured: ioredis costs a cold start ~150 ms
  const { createRedisClient } = await import('../store/redis-connection.js')
  // the same factory as the store: follows Sentinel failovers and Cluster
  // redirects; fails fast (no offline queue, no retries) so an outage never
  // stalls a request. No key prefix here: the counters name their own.
  return createRedisClient(target, { keyPrefix: '', commandTimeoutMs: 1000 })
}

/**
 * Counter keys without the prefix's Cluster hash tag: each counter is one key,
 * so they may spread over all shards instead of piling onto the store's slot.
 */
function rateLimitNamespace(redisPrefix: string): string {
  return `${redisPrefix.replace(/[{}]/g, '')}ratelimit:`
}

type RedisStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key: string) => FastifyRateLimitStore
interface StoreFlags { continueExceeding?: boolean; exponentialBackoff?: boolean }

/**
 * The library's Redis store whose children keep the namespace. A child store
 * suffixes its keys with the route's method and URL, which a limiter used as a
 * hook has not (keys read `ratelimit:undefinedundefined-api:<ip>`); our keys
 * name their budget already.
 */
function budgetStore(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  // not in the package's typings or exports map; the plugin itself loads it so
  const RedisStore = createRequire(import.meta.url)('@fastify/rate-limit/store/RedisStore.js') as RedisStoreCtor
  const make = (options: StoreFlags): FastifyRateLimitStore => {
    const store = new RedisStore(options.continueExceeding === true, options.exponentialBackoff === true, redis, nameSpace)
    store.child = (routeOptions) => make(routeOptions as StoreFlags)
    return store
  }
  // called with `new`: a constructor that returns an object yields that object
  return function BudgetStore(options: StoreFlags) { return make(options) } as unknown as FastifyRateLimitStoreCtor
}

// One limiter per budget, applied by one app-wide onRequest hook (not per
// route), so it covers routes registered before this plugin and 404 probes.
async function registerRateLimit(app: FastifyInstance, settings: LimitSettings): Promise<void> {
  const redis = await rateLimitRedis(settings)
  if (redis) {
    redis.on('error', (err: Error) => app.log.warn({ err: { message: err.message } }, 'rate-limit redis error (failing open)'))
    // lazy client: connect in the background, count locally-open until ready
    redis.connect().catch(() => {})
    app.addHook('onClose', async () => {
      redis.disconnect()
    })
  }
  const pluginOptions = {
    global: false,
    skipOnError: true,
    ...(redis ? { store: budgetStore(redis, rateLimitNamespace(settings.redisPrefix)) } : {}),
    errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) => new errors.RATE_LIMITED(Math.max(1, Math.ceil(context.ttl / 1000))),
  }
  type Limiter = ReturnType<FastifyInstance['rateLimit']>
  const limiterOf = (scope: FastifyInstance, bucket: Exclude<Bucket, 'ops'>, budget: Exclude<Bucket, 'ops' | 'fitConnect'>) => scope.rateLimit({
    max: settings.rateLimits[budget].max,
    timeWindow: settings.rateLimitWindowMs,
    keyGenerator: (request) => `${bucket}:${clientNetwork(request.ip)}`,
  })
  // FIT-Connect's Routing API names its headers RateLimit-Limit/-Remaining/-Reset
  // (IETF draft), ours x-ratelimit-*: the plugin sets the names per
  // registration, so /fit-connect/ gets its own, first (the plugin decorates
  // only where `rateLimit` is not there yet), with the API's budget size.
  let fitConnect: Limiter | undefined
  await app.register(async (scope) => {
    await scope.register(rateLimit, { ...pluginOptions, enableDraftSpec: true })
    fitConnect = limiterOf(scope, 'fitConnect', 'api')
  })
  await app.register(rateLimit, pluginOptions)
  const limiters = {
    api: limiterOf(app, 'api', 'api'), suggest: limiterOf(app, 'suggest', 'suggest'), proxy: limiterOf(app, 'proxy', 'proxy'), admin: limiterOf(app, 'admin', 'admin'),
    fitConnect: fitConnect!,
  }
  app.addHook('onRequest', async (request, reply) => {
    const bucket = bucketOf(request)
    if (bucket !== 'ops') await limiters[bucket].call(app, request, reply)
  })
}

async function registerUnderPressure(app: FastifyInstance, pressure: Settings['pressure']): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: pressure.maxEventLoopDelayMs,
    maxHeapUsedBytes: pressure.maxHeapUsedBytes,
    maxRssBytes: pressure.maxRssBytes,
    retryAfter: pressure.retryAfterSeconds,
    pressureHandler: (request, reply, type) => {
      if (SHEDDING_EXEMPT.has(request.routeOptions.url ?? '')) return undefined
      request.log.warn({ pressure: type }, 'shedding load')
      const problem = problemOf(request, new errors.OVERLOADED())
      reply.code(503).header('retry-after', String(pressure.retryAfterSeconds))
        .header('content-type', 'application/problem+json; charset=utf-8').header('cache-control', 'no-store')
      // under-pressure sends a non-null return value as the response (its typings say void)
      return JSON.stringify(problem) as unknown as void
    },
  })
}

async function limits(app: FastifyInstance, options: LimitsOptions): Promise<void> {
  const { settings } = options
  if (!settings?.rateLimits || !settings.timeouts || !settings.pressure) throw new Error('limits: settings with rateLimits, pressure and timeouts required')
  applyServerTimeouts(app.server, settings.timeouts)
  await registerUnderPressure(app, settings.pressure)
  if (settings.rateLimit) {
    await registerRateLimit(app, settings)
  } else {
    app.log.warn('RATE_LIMIT=off: rate limiting is disabled (benchmarks and load tests only)')
  }
}

export default fp(limits, { name: 'dachportal-limits', fastify: '5.x' })

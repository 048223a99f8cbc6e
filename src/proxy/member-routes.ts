// The routing table: one MemberRoute per member registered at start. Routes
// are fixed once Fastify listens, so each MemberRoute is a stable handle whose
// upstream, pool and limits can be swapped by reload(); requests in flight keep
// the pool they started on, which is closed gracefully once they finish.

import { createRequire } from 'node:module'
import type { Pool, Dispatcher } from 'undici'
import type { MemberConfig } from '../config/region-schema.js'
import { CircuitBreaker, defaultBreakerOptions, type BreakerOptions, type BreakerState } from './breaker.js'
import { HOST_PREFIX, type CookieScope } from './cookies.js'
import type { LocationScope } from './location.js'
import { parseUpstream, publicOnlyLookup, type UpstreamTarget } from './upstream-url.js'

export interface ProxyLimits {
  connectTimeoutMs: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  connections: number
  bodyLimitBytes: number
}

const defaultLimits: ProxyLimits = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  connections: 64,
  bodyLimitBytes: 10 * 1024 * 1024,
}

export interface MemberHealth {
  state: BreakerState
  lastError?: string
  lastErrorAt?: string
}

export interface ProxyHealth {
  get(memberId: string): MemberHealth | undefined
  all(): Record<string, MemberHealth>
}

export interface ReloadResult {
  /** members now proxied */
  active: string[]
  /** members with an upstream that have no route yet: they need a restart */
  needsRestart: string[]
}

interface ResolvedMember {
  target: UpstreamTarget
  limits: ProxyLimits
  allowPrivate: boolean
  sameOriginTrusted: boolean
}

const CLOSE_GRACE_MS = 30_000

export class MemberRoute {
  readonly prefix: string
  readonly cookiePrefix: string
  readonly breaker: CircuitBreaker
  target: UpstreamTarget | undefined
  pool: Pool | undefined
  bodyLimit = defaultLimits.bodyLimitBytes
  /** also proxied under /cities/<id>/ on the portal's origin */
  sameOriginTrusted = false
  /** path form: `<id>__` names under `/cities/<id>/` */
  cookieScope: CookieScope
  locationScope: LocationScope
  /** the member's own origin: host-only cookies (`__Host-` over https), Locations at its root */
  hostCookieScope: CookieScope
  hostLocationScope: LocationScope
  private settings = ''
  private lastError: string | undefined
  private lastErrorAt: number | undefined

  constructor(readonly id: string, breaker: BreakerOptions, private readonly clock: () => number, private readonly secureOrigin: boolean) {
    this.prefix = `/cities/${id}`
    this.cookiePrefix = `${id}__`
    this.breaker = new CircuitBreaker(breaker, clock)
    this.cookieScope = { namePrefix: this.cookiePrefix, pathPrefix: this.prefix, basePath: '/' }
    this.locationScope = { origin: '', basePath: '/', pathPrefix: this.prefix }
    this.hostCookieScope = this.hostCookies('/')
    this.hostLocationScope = { origin: '', basePath: '/', pathPrefix: '' }
  }

  /** The cookie prefix on the member's own origin ('' over http). */
  get hostCookiePrefix(): string {
    return this.hostCookieScope.namePrefix
  }

  private hostCookies(basePath: string): CookieScope {
    return this.secureOrigin
      ? { namePrefix: HOST_PREFIX, pathPrefix: '', basePath, hostPrefix: true }
      : { namePrefix: '', pathPrefix: '', basePath }
  }

  /** undici Dispatcher.request shape, handed to @fastify/reply-from as its `undici` instance. */
  request(opts: Dispatcher.RequestOptions, callback: (err: Error | null, data: Dispatcher.ResponseData) => void): void {
    const pool = this.pool
    const target = this.target
    if (pool === undefined || target === undefined) {
      const err: NodeJS.ErrnoException = new Error('member has no upstream')
      err.code = 'DP_NO_UPSTREAM'
      callback(err, undefined as unknown as Dispatcher.ResponseData)
      return
    }
    opts.origin = target.origin
    if (target.basePath !== '/') opts.path = target.basePath + opts.path.slice(1)
    pool.request(opts, callback)
  }

  succeed(): void {
    this.breaker.success()
  }

  fail(code: string): void {
    this.breaker.failure()
    this.lastError = code
    this.lastErrorAt = this.clock()
  }

  health(): MemberHealth {
    const h: MemberHealth = { state: this.breaker.state }
    if (this.lastError !== undefined) h.lastError = this.lastError
    if (this.lastErrorAt !== undefined) h.lastErrorAt = new Date(this.lastErrorAt).toISOString()
    return h
  }

  /** Swaps upstream and pool; undefined deactivates the route (404). */
  apply(next: ResolvedMember | undefined): void {
    const settings = next === undefined ? '' : JSON.stringify(next)
    if (settings === this.settings) return
    this.settings = settings
    const old = this.pool
    if (next === undefined) {
      this.pool = undefined
      this.target = undefined
    } else {
      this.pool = createPool(next)
      this.target = next.target
      this.bodyLimit = next.limits.bodyLimitBytes
      this.sameOriginTrusted = next.sameOriginTrusted
      this.cookieScope = { namePrefix: this.cookiePrefix, pathPrefix: this.prefix, basePath: next.target.basePath }
      this.locationScope = { origin: next.target.origin, basePath: next.target.basePath, pathPrefix: this.prefix }
      this.hostCookieScope = this.hostCookies(next.target.basePath)
      this.hostLocationScope = { origin: next.target.origin, basePath: next.target.basePath, pathPrefix: '' }
    }
    if (old !== undefined) void closePool(old, CLOSE_GRACE_MS)
  }

  async close(graceMs: number): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    this.target = undefined
    this.settings = ''
    if (pool !== undefined) await closePool(pool, graceMs)
  }
}

function createPool({ target, limits, allowPrivate }: ResolvedMember): Pool {
  const connect: Record<string, unknown> = { timeout: limits.connectTimeoutMs }
  if (!allowPrivate) connect.lookup = publicOnlyLookup
  // required here, not imported: a region without upstreams never loads undici (cold start)
  const { Pool } = createRequire(import.meta.url)('undici') as typeof import('undici')
  return new Pool(target.origin, {
    connections: limits.connections,
    pipelining: 1,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs,
    keepAliveTimeout: 4_000,
    connect: connect as Pool.Options['connect'],
  })
}

async function closePool(pool: Pool, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs)
    timer.unref()
  })
  try {
    await Promise.race([pool.close(), grace])
  } catch {
    // already closing or destroyed
  } finally {
    clearTimeout(timer)
  }
  if (!pool.destroyed) await pool.destroy().catch(() => undefined)
}

function resolveMembers(members: MemberConfig[], defaults: ProxyLimits): Map<string, ResolvedMember> {
  const out = new Map<string, ResolvedMember>()
  for (const m of members) {
    if (m.upstream === undefined) continue
    const allowPrivate = m.allowPrivateNetwork === true
    out.set(m.id, {
      target: parseUpstream(m.id, m.upstream, allowPrivate),
      limits: { ...defaults, ...m.proxy },
      allowPrivate,
      sameOriginTrusted: m.sameOriginTrusted === true,
    })
  }
  return out
}

export interface ProxyTableOptions {
  members: MemberConfig[]
  defaults?: Partial<ProxyLimits>
  breaker?: Partial<BreakerOptions>
  clock?: () => number
  /** member origins are https: their cookies get the `__Host-` prefix */
  secureOrigins?: boolean
}

export class ProxyTable {
  readonly routes = new Map<string, MemberRoute>()
  readonly health: ProxyHealth
  private readonly defaults: ProxyLimits

  constructor(options: ProxyTableOptions) {
    this.defaults = { ...defaultLimits, ...options.defaults }
    const breaker = { ...defaultBreakerOptions, ...options.breaker }
    const clock = options.clock ?? Date.now
    const resolved = resolveMembers(options.members, this.defaults)
    for (const [id, member] of resolved) {
      const route = new MemberRoute(id, breaker, clock, options.secureOrigins === true)
      route.apply(member)
      this.routes.set(id, route)
    }
    const routes = this.routes
    this.health = {
      get: (id) => routes.get(id)?.health(),
      all: () => Object.fromEntries([...routes].map(([id, r]) => [id, r.health()])),
    }
  }

  /** Validates everything first, then swaps: a bad config changes nothing. */
  reload(members: MemberConfig[]): ReloadResult {
    const resolved = resolveMembers(members, this.defaults)
    for (const [id, route] of this.routes) route.apply(resolved.get(id))
    return {
      active: [...this.routes.values()].filter((r) => r.pool !== undefined).map((r) => r.id),
      needsRestart: [...resolved.keys()].filter((id) => !this.routes.has(id)),
    }
  }

  async close(graceMs = 2_000): Promise<void> {
    await Promise.all([...this.routes.values()].map((r) => r.close(graceMs)))
  }
}

// Prometheus metrics on an own Registry (several apps in one test process do
// not collide). Labels are bounded: route patterns, never raw URLs; member
// ids only when the region config knows them.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { stateGauges, type BreakerStateName, type MetricsSources } from './state-gauges.js'
import { CounterCells, histogramChildren, type CounterCell, type Observe } from './metric-cells.js'

export type { MetricsSources } from './state-gauges.js'
import { errors, problemOf, sendProblem } from '../http/problem.js'
import { digestMatches, parseBearer, sha256, sha256Hex } from '../auth/token.js'

type RefreshOutcomeName = 'updated' | 'not-modified' | 'failed' | 'busy' | 'fresh' | 'superseded'

/** What other parts of the gateway report; `app.metrics` */
export interface GatewayMetrics {
  readonly registry: Registry
  /** one upstream exchange: HTTP status (0 when no response: timeout, refused, breaker open) */
  observeUpstream(member: string, status: number, seconds: number): void
  /** an upstream failure by kind, e.g. 'timeout', 'connect', 'breaker-open', '5xx' */
  upstreamError(member: string, kind: string): void
  /** a proxied request that failed on the client's side (not counted as an upstream error) */
  clientFailure(member: string, side: 'client-abort' | 'client-incomplete'): void
  setBreakerState(member: string, state: BreakerStateName): void
  observeRefresh(member: string, outcome: RefreshOutcomeName): void
  observeSearch(kind: 'search' | 'suggest', seconds: number): void
  observeIndexBuild(seconds: number): void
  /** a "Barriere melden" report not stored: window budget, network bound or full store */
  reportRefused(reason: 'rate' | 'client' | 'full'): void
}

interface MetricsOptions {
  /** when set, /metrics needs `Authorization: Bearer <token>` */
  token?: string
  sources: MetricsSources
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER'] as const
const OTHER_METHOD = METHODS.length - 1
const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const
const UNMATCHED_ROUTE = '<unmatched>'
const UNKNOWN_MEMBER = '<unknown>'
const KIND = /^[a-z0-9-]{1,32}$/

/** The route pattern a request matched, never its raw URL. */
function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE
}

/** index into STATUS_CLASSES */
function statusClass(status: number): number {
  return status >= 100 && status < 600 ? Math.floor(status / 100) : 0
}

function methodIndex(method: string): number {
  const i = (METHODS as readonly string[]).indexOf(method)
  return i === -1 ? OTHER_METHOD : i
}

/** The per-member instruments of one upstream member label, made once. */
interface UpstreamCells { byClass: CounterCell[]; duration: Observe }

function createMetrics(sources: MetricsSources): GatewayMetrics & { observeRequest(request: FastifyRequest, reply: FastifyReply): void } {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const member = (id: string) => (sources.members.has(id) ? id : UNKNOWN_MEMBER)
  const breakerOverrides = new Map<string, BreakerStateName>()

  const httpDuration = new Histogram({
    name: 'dachportal_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const upstreamCells = new CounterCells<'member' | 'status_class'>()
  new Counter({
    name: 'dachportal_upstream_requests_total',
    help: 'Proxied upstream exchanges per member and status class',
    labelNames: ['member', 'status_class'],
    registers: [registry],
    collect() { upstreamCells.flush(this) },
  })
  const upstreamErrors = new Counter({
    name: 'dachportal_upstream_errors_total',
    help: 'Upstream failures per member and kind',
    labelNames: ['member', 'kind'],
    registers: [registry],
  })
  const clientFailures = new Counter({
    name: 'dachportal_proxy_client_failures_total',
    help: 'Proxied requests the client broke off or never finished, per member (not upstream errors)',
    labelNames: ['member', 'side'],
    registers: [registry],
  })
  const upstreamDuration = new Histogram({
    name: 'dachportal_upstream_duration_seconds',
    help: 'Upstream latency per member',
    labelNames: ['member'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  stateGauges(registry, sources, breakerOverrides)
  // Per-request instruments are looked up in Maps built on first use, so a
  // request costs no label objects and no label hashing (metric-cells.ts).
  const requestChild = histogramChildren(httpDuration)
  // route pattern -> status * 8 + method index -> observe
  const requestObservers = new Map<string, Map<number, Observe>>()
  const upstreamChild = histogramChildren(upstreamDuration)
  const upstreamByMember = new Map<string, UpstreamCells>()
  const upstreamOf = (id: string): UpstreamCells => {
    const label = member(id)
    let cells = upstreamByMember.get(label)
    if (cells === undefined) {
      cells = {
        byClass: STATUS_CLASSES.map((cls) => upstreamCells.cell(`${label}\n${cls}`, { member: label, status_class: cls })),
        duration: upstreamChild(label, { member: label }),
      }
      upstreamByMember.set(label, cells)
    }
    return cells
  }
  const refreshes = new Counter({
    name: 'dachportal_refresh_total',
    help: 'Remote manifest refreshes per member and outcome',
    labelNames: ['member', 'outcome'],
    registers: [registry],
  })
  const search = new Histogram({
    name: 'dachportal_search_duration_seconds',
    help: 'Search and suggest latency inside the index (without HTTP)',
    labelNames: ['kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  // few and rare: a plain counter, every reason shown from the start (0)
  const reportsRefused = new Counter({
    name: 'dachportal_reports_refused_total',
    help: '"Barriere melden" reports not stored: rate (window budget), client (the network\'s bound), full (the store\'s bound)',
    labelNames: ['reason'],
    registers: [registry],
  })
  for (const reason of ['rate', 'client', 'full']) reportsRefused.inc({ reason }, 0)
  const indexBuild = new Histogram({
    name: 'dachportal_index_build_duration_seconds',
    help: 'Search index rebuild duration',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  })

  return {
    registry,
    observeRequest(request, reply) {
      const route = routeLabel(request)
      const status = reply.statusCode
      const method = methodIndex(request.method)
      // labels stay bounded: route patterns x methods x statuses
      let byKey = requestObservers.get(route)
      if (byKey === undefined) requestObservers.set(route, byKey = new Map())
      const key = status * METHODS.length + method
      let observe = byKey.get(key)
      if (observe === undefined) {
        observe = requestChild(`${route}\n${key}`, { route, method: METHODS[method]!, status: String(status) })
        byKey.set(key, observe)
      }
      observe(reply.elapsedTime / 1000)
    },
    observeUpstream(id, status, seconds) {
      const cells = upstreamOf(id)
      cells.byClass[statusClass(status)]!.n++
      cells.duration(seconds)
    },
    upstreamError(id, kind) {
      upstreamErrors.inc({ member: member(id), kind: KIND.test(kind) ? kind : 'other' })
    },
    clientFailure(id, side) {
      clientFailures.inc({ member: member(id), side })
    },
    setBreakerState(id, state) {
      if (sources.members.has(id)) breakerOverrides.set(id, state)
    },
    observeRefresh(id, outcome) {
      refreshes.inc({ member: member(id), outcome })
    },
    observeSearch(kind, seconds) {
      search.observe({ kind }, seconds)
    },
    observeIndexBuild(seconds) {
      indexBuild.observe(seconds)
    },
    reportRefused(reason) {
      reportsRefused.inc({ reason })
    },
  }
}

async function metricsPlugin(app: FastifyInstance, options: MetricsOptions): Promise<void> {
  const metrics = createMetrics(options.sources)
  // compared as SHA-256 digests (auth/token.ts), so the token's length does not show either
  const tokenSha256 = options.token === undefined ? undefined : sha256Hex(options.token)
  app.decorate('metrics', metrics as GatewayMetrics)
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request, reply)
    done()
  })
  app.get('/metrics', {
    schema: { tags: ['Operations'], operationId: 'getMetrics', summary: 'Prometheus-Metriken', description: 'Bearer token only when METRICS_TOKEN is set.', security: [{}, { metricsToken: [] }], hide: false },
    config: { rateLimit: false },
    logLevel: 'warn',
  }, async (request, reply) => {
    if (tokenSha256 !== undefined) {
      const token = parseBearer(request.headers.authorization)
      if (token === undefined || !digestMatches(sha256(token), tokenSha256)) {
        reply.header('www-authenticate', 'Bearer')
        return sendProblem(reply, problemOf(request, new errors.AUTH_INVALID()))
      }
    }
    reply.type(metrics.registry.contentType).header('cache-control', 'no-store')
    return metrics.registry.metrics()
  })
}

export default fp(metricsPlugin, { name: 'dachportal-metrics', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics
  }
}

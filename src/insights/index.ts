// Wiring of the pilot insights: the recorder, small hooks that count page
// views and /go redirects after the response is sent, Prometheus totals.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Counter, type Registry } from 'prom-client'
import type { Catalog } from '../catalog/types.js'
import type { InsightsSettings } from '../config/env.js'
import type { GatewayMetrics } from '../ops/metrics.js'
import { CATALOG_PLUGIN } from '../lifecycle/catalog-plugin.js'
import type { CounterStore } from '../store/counters.js'
import { InsightsRecorder } from './recorder.js'
import { catalogVocabulary } from './vocabulary.js'
import { CounterCells, type CounterCell } from '../ops/metric-cells.js'

export { InsightsRecorder } from './recorder.js'

/** The recorder in the app (`app.insights`), counting page views; its totals go to the metrics registry. */
async function insightsPlugin(app: FastifyInstance, options: { settings: InsightsSettings }): Promise<void> {
  const recorder = createRecorder(app, app.store, options.settings, app.metrics.registry)
  app.decorate('insights', recorder)
  countPageViews(app, recorder)
}

export default fp(insightsPlugin, {
  name: 'dachportal-insights',
  fastify: '5.x',
  dependencies: [CATALOG_PLUGIN, 'dachportal-metrics'],
  decorators: { fastify: ['store', 'metrics'] },
})

export function createRecorder(app: FastifyInstance, store: CounterStore, settings: InsightsSettings, registry?: Registry): InsightsRecorder {
  let onCount: ((kind: string) => void) | undefined
  let failures: Counter | undefined
  if (registry !== undefined) {
    // counted per request (every proxied request is one): cells, summed at scrape time
    const cells = new CounterCells<'kind'>()
    const byKind = new Map<string, CounterCell>()
    new Counter({ name: 'dachportal_insights_events_total', help: 'insights events counted (totals by kind, no query texts)', labelNames: ['kind'], registers: [registry], collect() { cells.flush(this) } })
    onCount = (kind) => {
      let cell = byKind.get(kind)
      if (cell === undefined) byKind.set(kind, cell = cells.cell(kind, { kind }))
      cell.n++
    }
    failures = new Counter({ name: 'dachportal_insights_flush_failures_total', help: 'insights batches dropped because the store failed', registers: [registry] })
  }
  const recorder = new InsightsRecorder({
    store,
    retentionDays: settings.retentionDays,
    flushIntervalMs: settings.flushIntervalMs,
    ...(onCount ? { onCount } : {}),
    onFlushError: (err) => {
      failures?.inc()
      app.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'insights batch dropped: store unavailable')
    },
  })
  app.addHook('onClose', () => recorder.close())
  return recorder
}

/** the member a search is for: the member filter, else a postal code of exactly one member */
function searchMember(catalog: Catalog, query: { member?: string; postalCode?: string }): string | undefined {
  if (query.member !== undefined) return query.member
  if (query.postalCode === undefined) return undefined
  const members = catalog.membersByPostalCode.get(query.postalCode)
  return members?.length === 1 ? members[0] : undefined
}

/** counts successful page views and /go redirects once the response is out */
function countPageViews(app: FastifyInstance, recorder: InsightsRecorder): void {
  app.addHook('onResponse', (request, reply, done) => {
    // a HEAD is a link checker or a preview, not a resident going there
    if (request.method !== 'GET') return done()
    const route = request.routeOptions.url
    const params = request.params as Record<string, string>
    if (route === '/go/:member/:service' && reply.statusCode === 302) recorder.go(params.member!, params.service!)
    else if (reply.statusCode === 200 && route === '/leistungen/:id') recorder.serviceView(params.id!)
    else if (reply.statusCode === 200 && route === '/lebenslagen/:id') recorder.lifeSituation(params.id!)
    done()
  })
}

/** counts one search (first pages only) for the pilot insights */
export function searchCounter(recorder: InsightsRecorder, catalog: () => Catalog) {
  return (q: { q: string; member?: string; postalCode?: string; page?: number }, total: number, client?: string): void => {
    if ((q.page ?? 1) !== 1) return
    const live = catalog()
    const member = searchMember(live, q)
    recorder.search({ q: q.q, ...(member === undefined ? {} : { member }), filtered: q.member !== undefined || q.postalCode !== undefined, total, vocabulary: catalogVocabulary(live), ...(client === undefined ? {} : { client }) })
  }
}

/** the metrics observer, plus one insights count per proxied request */
export function countingObserver(metrics: GatewayMetrics, recorder: InsightsRecorder): GatewayMetrics {
  return Object.assign(Object.create(metrics) as GatewayMetrics, {
    observeUpstream(member: string, status: number, seconds: number) {
      metrics.observeUpstream(member, status, seconds)
      recorder.proxy(member)
    },
    upstreamError: (member: string, kind: string) => metrics.upstreamError(member, kind),
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** pilot insights recorder (absent with INSIGHTS=off); flush() writes the batch now */
    insights: InsightsRecorder
  }
}

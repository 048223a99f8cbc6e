// Wiring of the pilot insights: the recorder, small hooks that count page
// views and /go redirects after the response is sent, Prometheus totals.
import type { FastifyInstance } from 'fastify'
import { Counter } from 'prom-client'
import type { Catalog } from '../catalog/types.js'
import type { InsightsSettings } from '../config/env.js'
import type { CounterStore } from './counter-store.js'
import { InsightsRecorder } from './recorder.js'

export { InsightsRecorder } from './recorder.js'

export function createRecorder(app: FastifyInstance, store: CounterStore, settings: InsightsSettings): InsightsRecorder {
  let events: Counter<'kind'> | undefined
  let failures: Counter | undefined
  if (app.hasDecorator('metrics')) {
    events = new Counter({ name: 'dachportal_insights_events_total', help: 'insights events counted (totals by kind, no query texts)', labelNames: ['kind'], registers: [app.metrics.registry] })
    failures = new Counter({ name: 'dachportal_insights_flush_failures_total', help: 'insights batches dropped because the store failed', registers: [app.metrics.registry] })
  }
  const recorder = new InsightsRecorder({
    store,
    retentionDays: settings.retentionDays,
    flushIntervalMs: settings.flushIntervalMs,
    ...(events ? { onCount: (kind: string) => events.inc({ kind }) } : {}),
    onFlushError: (err) => {
      failures?.inc()
      app.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'insights batch dropped: store unavailable')
    },
  })
  app.addHook('onClose', () => recorder.close())
  return recorder
}

/** the member a search is for: the member filter, else a postal code of exactly one member */
export function searchMember(catalog: Catalog, query: { member?: string; postalCode?: string }): string | undefined {
  if (query.member !== undefined) return query.member
  if (query.postalCode === undefined) return undefined
  const members = catalog.membersByPostalCode.get(query.postalCode)
  return members?.length === 1 ? members[0] : undefined
}

/** counts successful page views and /go redirects once the response is out */
export function countPageViews(app: FastifyInstance, recorder: InsightsRecorder): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url
    const params = request.params as Record<string, string>
    if (route === '/go/:member/:service' && reply.statusCode === 302) recorder.go(params.member!, params.service!)
    else if (reply.statusCode === 200 && route === '/leistungen/:id') recorder.serviceView(params.id!)
    else if (reply.statusCode === 200 && route === '/lebenslagen/:id') recorder.lifeSituation(params.id!)
    done()
  })
}

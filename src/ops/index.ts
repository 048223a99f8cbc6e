// Everything operational in one registration: request ids (header set with
// the security headers in security.ts), metrics,
// hardening headers, rate limits, load shedding, server timeouts.
// Register it before any route (rate limits attach to routes as they are added).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Settings } from '../config/env.js'
import { CATALOG_PLUGIN } from '../lifecycle/catalog-plugin.js'
import metrics, { type MetricsSources } from './metrics.js'
import security from './security.js'
import limits from './limits.js'

interface OpsOptions {
  settings: Settings
  /** a member's proxy breaker state, read at scrape time (the proxy registers after ops: it reports to the metrics) */
  breakerState: MetricsSources['breakerState']
}

async function ops(app: FastifyInstance, options: OpsOptions): Promise<void> {
  const { settings } = options
  if (!settings) throw new Error('ops: settings required')
  const sources: MetricsSources = {
    members: app.live.members,
    catalog: () => app.live.current,
    store: app.store,
    breakerState: options.breakerState,
  }
  await app.register(metrics, { sources, ...(settings.metricsToken !== undefined ? { token: settings.metricsToken } : {}) })
  app.observeCatalog(app.metrics)
  await app.register(security, { corsOrigins: settings.corsOrigins })
  await app.register(limits, { settings })
}

export default fp(ops, {
  name: 'dachportal-ops',
  fastify: '5.x',
  dependencies: [CATALOG_PLUGIN],
  decorators: { fastify: ['live', 'store', 'observeCatalog'] },
})

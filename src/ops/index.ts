// Everything operational in one registration: request ids (header set with
// the security headers in security.ts), metrics,
// hardening headers, rate limits, load shedding, server timeouts.
// Register it before any route (rate limits attach to routes as they are added).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Settings } from '../config/env.js'
import metrics from './metrics.js'
import security from './security.js'
import limits from './limits.js'

export interface OpsOptions {
  settings: Settings
}

async function ops(app: FastifyInstance, options: OpsOptions): Promise<void> {
  const { settings } = options
  if (!settings) throw new Error('ops: settings required')
  await app.register(metrics, settings.metricsToken !== undefined ? { token: settings.metricsToken } : {})
  await app.register(security, { corsOrigins: settings.corsOrigins })
  await app.register(limits, { settings })
}

export default fp(ops, { name: 'dachportal-ops', fastify: '5.x' })
export { loggerOptions, genReqId, truncateIp } from './logging.js'
export type { GatewayMetrics } from './metrics.js'

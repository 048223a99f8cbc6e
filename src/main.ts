#!/usr/bin/env node
// Process entry: settings, logger, listen, graceful shutdown.
// Only the settings are imported statically: the module compile cache must be
// on before the rest of the app (and its dependencies) is loaded.
import * as nodeModule from 'node:module'
import type { FastifyInstance } from 'fastify'
import { readSettings, type Settings } from './config/env.js'

/**
 * Node >= 22 keeps the compiled code of every loaded module on disk, so the
 * next start skips parsing and compiling (cold start). Node 20 has no such
 * cache; a cache that cannot be written only costs the attempt.
 */
function enableCompileCache(dir: string | false): void {
  const enable = (nodeModule as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache
  if (dir === false || typeof enable !== 'function') return
  try {
    enable(dir)
  } catch {
    // a start never fails for want of a cache
  }
}

async function main(): Promise<void> {
  const settings = readSettings()
  enableCompileCache(settings.compileCache)
  const [{ buildApp }, { loggerOptions }, { startTracing, stopTracing, traceLogFields }] = await Promise.all([
    import('./app.js'),
    import('./ops/logging.js'),
    import('./telemetry/index.js'),
  ])
  const startedAt = performance.now()
  // the SDK loads only when tracing is configured (cold start pays nothing otherwise)
  if (settings.tracing) await startTracing(settings.tracing)
  const app = await buildApp({
    settings,
    logger: loggerOptions({ level: settings.logLevel, production: settings.production, ...(settings.tracing ? { mixin: traceLogFields } : {}) }),
  })
  // last onClose: export the spans still buffered
  if (settings.tracing) app.addHook('onClose', async () => stopTracing())
  // while draining, every answer tells keep-alive clients to reconnect (to another instance)
  app.addHook('onSend', async (_request, reply) => {
    if (app.readiness.draining) reply.header('connection', 'close')
  })
  const address = await app.listen({ port: settings.port, host: settings.host })
  app.log.info({ address, readyMs: Math.round(performance.now() - startedAt) }, 'dachportal ready')
  // write the compile cache now, not only at exit: a killed process (SIGKILL, OOM) keeps it too
  ;(nodeModule as { flushCompileCache?: () => void }).flushCompileCache?.()
  onShutdownSignals(app, settings)
  onReloadSignal(app, settings)
}

/**
 * SIGHUP: re-read the region config and swap the proxy's upstream table
 * (URLs, pools, timeouts, body limits) without dropping in-flight requests.
 * A bad config is logged and the old table stays. Other region changes
 * (members, postal codes, hosts) need a restart.
 */
function onReloadSignal(app: FastifyInstance, settings: Pick<Settings, 'regionConfig'>): void {
  process.on('SIGHUP', () => {
    import('./config/load.js').then(({ loadRegionData }) => loadRegionData(settings.regionConfig)).then(
      (data) => {
        const result = app.reloadProxy(data.region.members)
        app.log.info(result, 'proxy table reloaded')
        if (result.needsRestart.length > 0) app.log.warn({ members: result.needsRestart }, 'new upstreams need a restart')
      },
      (err: unknown) => app.log.error({ err: { message: (err as Error).message } }, 'region config reload failed; the old proxy table stays'),
    )
  })
}

/**
 * SIGTERM/SIGINT: /ready answers 503 first so the load balancer drains this
 * instance, then the listener closes, in-flight requests finish (bounded by
 * SHUTDOWN_TIMEOUT_MS), onClose hooks close Redis and upstream pools, exit 0.
 * A second signal exits at once.
 */
function onShutdownSignals(app: FastifyInstance, settings: Pick<Settings, 'shutdownDrainMs' | 'shutdownTimeoutMs'>): void {
  let closing = false
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    app.readiness.draining = true
    app.log.info({ signal, drainMs: settings.shutdownDrainMs, timeoutMs: settings.shutdownTimeoutMs }, 'shutting down: draining')
    const force = setTimeout(() => {
      app.log.error('shutdown timed out: in-flight requests cut off')
      process.exit(1)
    }, settings.shutdownDrainMs + settings.shutdownTimeoutMs)
    force.unref()
    setTimeout(() => {
      app.log.info('closing listener; waiting for in-flight requests')
      // server.close() reaps idle keep-alive sockets only once; a connection whose
      // request finishes later (e.g. a slow upload answered early) would then stay
      // open until keepAliveTimeout and hold the process. Reap them as they go idle.
      const reap = setInterval(() => app.server.closeIdleConnections(), 100)
      reap.unref()
      app.close().finally(() => clearInterval(reap)).then(
        () => {
          app.log.info('shut down cleanly')
          process.exit(0)
        },
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed')
          process.exit(1)
        },
      )
    }, settings.shutdownDrainMs)
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main().catch((err: unknown) => {
  // ConfigError (config/load.ts) is a message for the operator, anything else a bug
  const message = (err as Error | undefined)?.name === 'ConfigError' ? (err as Error).message : (err as Error).stack ?? String(err)
  process.stderr.write(`dachportal: cannot start: ${message}\n`)
  process.exit(1)
})

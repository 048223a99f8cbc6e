#!/usr/bin/env node
// Process entry: settings, logger, listen, graceful shutdown.
import { buildApp } from './app.js'
import { readSettings } from './config/env.js'
import { ConfigError } from './config/load.js'

async function main(): Promise<void> {
  const settings = readSettings()
  const startedAt = performance.now()
  const app = await buildApp({
    settings,
    logger: {
      level: settings.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    },
  })
  const address = await app.listen({ port: settings.port, host: settings.host })
  app.log.info({ address, readyMs: Math.round(performance.now() - startedAt) }, 'dachportal ready')

  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.readiness.draining = true
    app.log.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)
  process.stderr.write(`dachportal: cannot start: ${message}\n`)
  process.exit(1)
})

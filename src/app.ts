// buildApp: wires config, store, live catalog and routes into one Fastify
// instance. No I/O at import time; everything starts here and stops in onClose.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { loadRegionData, ConfigError, type RegionData } from './config/load.js'
import { readSettings, type Settings } from './config/env.js'
import { MemoryStore } from './store/memory-store.js'
import type { CatalogStore } from './store/types.js'
import { LiveCatalog } from './runtime/live-catalog.js'
import { seedFileManifests } from './runtime/seed.js'
import { registerProblemHandlers } from './routes/problem.js'
import { sharedSchemas } from './routes/schemas.js'
import regionRoutes from './routes/region.js'
import catalogRoutes from './routes/catalog.js'
import responsibilityRoutes from './routes/responsibility.js'
import opsRoutes, { type Readiness } from './routes/ops.js'
import './routes/decorators.js'

export interface BuildOptions {
  settings?: Partial<Settings>
  /** preloaded region data (tests); otherwise read from settings.regionConfig */
  regionData?: RegionData
  /** an injected store (tests); otherwise MemoryStore, or RedisStore when redisUrl is set */
  store?: CatalogStore
  logger?: FastifyServerOptions['logger']
}

export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const settings: Settings = { ...readSettings(), ...options.settings }
  const data = options.regionData ?? await loadRegionData(settings.regionConfig)
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: settings.adminBodyLimitBytes,
    ajv: { customOptions: { allErrors: true } },
    return503OnClosing: true,
  })
  const store = options.store ?? await createStore(settings)
  const ownsStore = options.store === undefined
  await store.init()

  const live = new LiveCatalog(data, store, app.log)
  const readiness: Readiness = { draining: false }
  app.decorate('live', live)
  app.decorate('store', store)
  app.decorate('memberHealth', () => undefined)
  app.decorate('readiness', readiness)

  const report = await seedFileManifests(live, store, app.log)
  await live.refresh()
  live.follow()
  const usable = live.current.members.filter((m) => m.status !== 'failed').length
  if (usable === 0) {
    await app.close()
    if (ownsStore) await store.close()
    throw new ConfigError(`no member has a valid manifest (${report.failed.map((f) => f.id).join(', ') || 'no members'}): nothing to serve`)
  }
  app.log.info({ members: live.current.members.length, failed: report.failed.map((f) => f.id), version: live.current.version }, 'catalog loaded')

  app.addHook('onClose', async () => {
    live.stop()
    if (ownsStore) await store.close()
  })

  registerProblemHandlers(app, { production: settings.production })
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'dachportal API – Serviceportal Emscher-Lippe',
        version: '1.0.0',
        description: 'Regional catalog, search and navigation over the service portals of the Emscher-Lippe member cities, Kreis Recklinghausen, Land NRW and Bund. Errors are application/problem+json (RFC 9457).',
      },
      tags: [
        { name: 'Region', description: 'Region and Verbundmitglieder' },
        { name: 'Navigation', description: 'Lebenslagen, Leistungen, Zuständigkeit, Deep Links' },
        { name: 'Search', description: 'Suche und Vorschläge' },
        { name: 'Member cities', description: 'Manifest registration for member city IT teams' },
        { name: 'Operations', description: 'Health, readiness, metrics' },
      ],
      components: { securitySchemes: { memberToken: { type: 'http', scheme: 'bearer', description: 'registration token of one member' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })

  await app.register(opsRoutes, { readiness })
  await app.register(regionRoutes)
  await app.register(catalogRoutes)
  await app.register(responsibilityRoutes)
  return app
}

async function createStore(settings: Settings): Promise<CatalogStore> {
  if (settings.redisUrl !== undefined) {
    throw new ConfigError('REDIS_URL is set but the Redis store is not available in this build')
  }
  return new MemoryStore({ dataDir: settings.dataDir })
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness
  }
}

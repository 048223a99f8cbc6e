// buildApp: wires config, store, live catalog, search, admin, refresh, proxy,
// operations and the portal into one Fastify instance. No I/O at import
// time; everything starts here and stops in onClose.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { loadRegionData, ConfigError, type RegionData } from './config/load.js'
import { readSettings, type Settings } from './config/env.js'
import { operatorGaps } from './config/operator-gaps.js'
import { createStore } from './store/create.js'
import type { CatalogStore } from './store/types.js'
import { LiveCatalog } from './runtime/live-catalog.js'
import { seedFileManifests } from './runtime/seed.js'
import { recoverStore } from './runtime/recover.js'
import { registerProblemHandlers } from './routes/problem.js'
import { frameworkErrorHandler } from './http/framework-errors.js'
import { portalSecurityHeaders } from './ops/security.js'
import { namedSchemas } from './routes/named-schemas.js'
import { finishOpenApi } from './routes/openapi.js'
import { strictApiQueries } from './routes/strict-query.js'
import regionRoutes from './routes/region.js'
import catalogRoutes from './routes/catalog.js'
import onlineServiceRoutes from './routes/online-services.js'
import responsibilityRoutes from './routes/responsibility.js'
import searchRoutes from './routes/search.js'
import { adminRoutes } from './routes/admin.js'
import routingRoutes from './routes/routing.js'
import opsRoutes, { type Readiness } from './routes/ops.js'
import { SearchIndexHolder } from './search/holder.js'
import { search } from './search/search.js'
import { createRefresher, type Refresher } from './refresh/refresher.js'
import { isRemoteManifest } from './net/https-url.js'
import { memberHostRouter, proxyPlugin, type MemberContact } from './proxy/index.js'
import opsPlugin from './ops/index.js'
import { genReqId } from './ops/logging.js'
import { webPlugin, prefersHtml, sendNotFoundPage } from './web/index.js'
import './routes/decorators.js'
import { tracing, withSpan } from './telemetry/index.js'
import { traceStore } from './telemetry/store.js'
import { countPageViews, createRecorder, searchMember, type InsightsRecorder } from './insights/index.js'
import { insightsRoutes } from './insights/routes.js'
import { coverageRoutes } from './coverage/routes.js'
import { registerCompression } from './http/compression.js'
import { insightsPage } from './insights/page.js'

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
  if (settings.production) {
    const open = data.region.members.filter((m) => m.allowPrivateNetwork === true).map((m) => m.id)
    if (open.length > 0) throw new ConfigError(`allowPrivateNetwork is for tests only, not with NODE_ENV=production: ${open.join(', ')}`)
    // member origins over http would lose the __Host- cookie protection
    if (settings.proxy.scheme !== 'https') throw new ConfigError('PROXY_PUBLIC_SCHEME=http is for development and tests only, not with NODE_ENV=production')
  }
  const baseDomain = settings.proxy.baseDomain
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId,
    // a hop count is valid at runtime (proxy-addr); Fastify's typings omit it
    trustProxy: settings.trustProxy as FastifyServerOptions['trustProxy'],
    bodyLimit: settings.adminBodyLimitBytes,
    // removeAdditional off: an undeclared query parameter is an error on API routes (strict-query.ts), not silently dropped
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    return503OnClosing: true,
    // bad percent-encoding and over-long path parameters are answered before any hook: problem+json too
    frameworkErrors: frameworkErrorHandler(portalSecurityHeaders()),
    // `<member>.<PROXY_BASE_DOMAIN>` reaches only that member's proxy (src/proxy/origin.ts)
    ...(baseDomain === undefined ? {} : { rewriteUrl: memberHostRouter(baseDomain) }),
  })
  // tracing (when started by main) first, so its span covers every other hook
  const tracer = tracing()
  if (tracer !== undefined) await app.register(tracer.requestPlugin)
  const store = traceStore(options.store ?? await createStore(settings))
  const ownsStore = options.store === undefined
  try {
    await store.init()
  } catch (err) {
    if (ownsStore) await store.close().catch(() => {})
    throw err
  }

  const live = new LiveCatalog(data, store, app.log)
  const readiness: Readiness = { draining: false }
  app.decorate('live', live)
  app.decorate('store', store)
  app.decorate('memberHealth', (id: string) => (app.hasDecorator('proxyHealth') ? app.proxyHealth.get(id) : undefined))
  app.decorate('readiness', readiness)

  const validate = (doc: unknown, member: Parameters<LiveCatalog['validate']>[1]) => live.validate(doc, member)
  const refresher = createRefresher({
    store,
    members: data.region.members,
    validate,
    lockTtlMs: settings.refreshLockTtlMs,
    // scheduled refreshes and POST .../refresh alike (metrics arrive with the ops plugin)
    onOutcome: (o) => {
      if (app.hasDecorator('metrics')) app.metrics.observeRefresh(o.member, o.outcome)
    },
    logger: {
      info: (obj, msg) => app.log.info(obj, msg),
      warn: (obj, msg) => app.log.warn(obj, msg),
    },
  })
  const searchIndex = new SearchIndexHolder({ synonyms: data.synonyms })
  let unfollow = () => {}
  let released = false
  // one clean-up for close and for a start-up that fails half-way
  const release = async () => {
    if (released) return
    released = true
    unfollow()
    searchIndex.cancel()
    live.stop()
    await refresher.stop().catch((err: unknown) => app.log.warn({ err }, 'refresher stop failed'))
    if (ownsStore) await store.close().catch((err: unknown) => app.log.warn({ err }, 'store close failed'))
  }
  app.addHook('onClose', release)

  try {
    await loadCatalog(app, live, refresher, store, settings)

    // The search index follows the catalog; the old index serves while a new one builds.
    searchIndex.load(live.current)
    app.decorate('searchIndex', searchIndex)
    searchIndex.on('error', (err: unknown) => app.log.error({ err }, 'search index build failed; the previous index serves'))
    unfollow = live.onSwap((catalog) => {
      const started = performance.now()
      void searchIndex.update(catalog).then((index) => {
        if (index.version === catalog.version && app.hasDecorator('metrics')) app.metrics.observeIndexBuild((performance.now() - started) / 1000)
      })
    })
    await registerRoutes(app, { settings, data, live, store, refresher, searchIndex, readiness, validate })
    // Not fatal (the catalog is served, /ready stays ready); the legal pages say what is missing.
    const gaps = operatorGaps(data.region.operator)
    if (gaps.length > 0) app.log.warn({ missing: gaps }, 'region config: operator data not provided yet (Impressum, Datenschutz, Barrierefreiheit pages name what is missing)')
    return app
  } catch (err) {
    await release()
    await app.close().catch(() => {})
    throw err
  }
}

/** Seeds file manifests and loads the catalog; remote-only regions wait for their first fetch. */
async function loadCatalog(app: FastifyInstance, live: LiveCatalog, refresher: Refresher, store: CatalogStore, settings: Settings): Promise<void> {
  const report = await seedFileManifests(live, store, app.log)
  await live.refresh()
  const members = live.data.region.members
  if (usableMembers(live) === 0 && members.some((m) => isRemoteManifest(m.manifest))) {
    // nothing to serve until the first fetch; another instance may hold the lock and be fetching
    let stopWaiting = () => {}
    const changed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => stopWaiting(), settings.refreshLockTtlMs)
      const off = store.onChange(() => stopWaiting())
      stopWaiting = () => {
        clearTimeout(timer)
        off()
        resolve()
      }
    })
    await refresher.start()
    await live.refresh()
    if (usableMembers(live) === 0) await changed.then(() => live.refresh())
    stopWaiting()
  } else {
    app.addHook('onReady', async () => {
      void refresher.start().catch((err: unknown) => app.log.error({ err }, 'refresher failed to start'))
    })
  }
  if (usableMembers(live) === 0) {
    const failed = live.current.members.filter((m) => m.status === 'failed').map((m) => `${m.id}: ${m.meta.lastError ?? 'no valid manifest'}`)
    throw new ConfigError(`no member has a valid manifest (${failed.join('; ') || 'no members'}): nothing to serve`)
  }
  live.setRecovery((previous) => recoverStore(live, store, previous, app.log))
  live.follow()
  app.log.info({ members: live.current.members.length, failed: report.failed.map((f) => f.id), version: live.current.version, store: store.kind }, 'catalog loaded')
}

interface RouteDeps {
  settings: Settings
  data: RegionData
  live: LiveCatalog
  store: CatalogStore
  refresher: Refresher
  searchIndex: SearchIndexHolder
  readiness: Readiness
  validate: (doc: unknown, member: Parameters<LiveCatalog['validate']>[1]) => ReturnType<LiveCatalog['validate']>
}

async function registerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { settings, data, live, store, refresher, searchIndex, readiness, validate } = deps
  registerProblemHandlers(app, {
    production: settings.production,
    securityHeaders: portalSecurityHeaders(),
    // a person who mistyped a page address gets a page, programs get problem+json
    notFound: (request, reply) => (prefersHtml(request) ? sendNotFoundPage(request, reply) : undefined),
  })
  for (const schema of namedSchemas) app.addSchema(schema)
  strictApiQueries(app)
  // before any route: it hooks each route as it is added (not the proxy's)
  await registerCompression(app)
  // swagger collects routes as they are added: before ops, so /metrics is documented
  await registerDocs(app, settings, data)
  await app.register(opsPlugin, { settings })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })

  await app.register(opsRoutes, { readiness })
  await app.register(regionRoutes)
  await app.register(catalogRoutes)
  await app.register(onlineServiceRoutes)
  await app.register(responsibilityRoutes)
  await app.register(routingRoutes)
  // pilot insights (src/insights): counted in memory, flushed in batches
  const insights: InsightsRecorder | undefined = settings.insights.enabled ? createRecorder(app, store, settings.insights) : undefined
  if (insights) {
    app.decorate('insights', insights)
    countPageViews(app, insights)
  }
  const countSearch = (q: { q: string; member?: string; postalCode?: string; page?: number }, total: number) => {
    if (!insights || (q.page ?? 1) !== 1) return
    const member = searchMember(live.current, q)
    insights.search({ q: q.q, ...(member === undefined ? {} : { member }), filtered: q.member !== undefined || q.postalCode !== undefined, total })
  }
  await app.register(searchRoutes, { getCatalog: () => live.current, searchIndex, observe: (kind, seconds) => app.metrics.observeSearch(kind, seconds), onSearch: countSearch })
  await app.register(adminRoutes, {
    prefix: '/api/v1/admin',
    store,
    members: data.region.members,
    validate,
    refresh: (id) => refresher.refreshNow(id),
    bodyLimitBytes: settings.adminBodyLimitBytes,
    xzufi: { data },
    insights: { store, minCount: settings.insights.minCount, retentionDays: settings.insights.retentionDays },
  })
  if (insights) {
    await app.register(insightsRoutes, {
      store,
      catalogStore: store,
      minCount: settings.insights.minCount,
      retentionDays: settings.insights.retentionDays,
      recorder: insights,
      feedbackMax: settings.insights.feedbackMax,
      rateLimitWindowMs: settings.rateLimitWindowMs,
      ...(settings.regionAdminTokenSha256 ? { regionTokenSha256: settings.regionAdminTokenSha256 } : {}),
      knows: { member: (id) => live.current.memberById.has(id), service: (id) => live.current.serviceById.has(id) },
    })
    await app.register(insightsPage, {
      store,
      catalogStore: store,
      minCount: settings.insights.minCount,
      retentionDays: settings.insights.retentionDays,
      members: data.region.members,
      production: settings.production,
      ...(settings.regionAdminTokenSha256 ? { regionTokenSha256: settings.regionAdminTokenSha256 } : {}),
    })
  }
  await app.register(proxyPlugin, {
    members: data.region.members,
    contactFor: (id) => contactFor(live, id),
    observer: insights ? countingObserver(app.metrics, insights) : app.metrics,
    origins: settings.proxy,
  })
  await app.register(coverageRoutes)
  const shared = data.region.members.filter((m) => m.upstream !== undefined && m.sameOriginTrusted === true).map((m) => m.id)
  if (shared.length > 0) app.log.warn({ members: shared }, 'sameOriginTrusted: these members are also proxied on the portal\'s origin and share it')
  await app.register(webPlugin, {
    operator: data.region.operator,
    reports: { store, retentionDays: settings.reportRetentionDays },
    search: (params) => {
      const index = searchIndex.current()
      if (!index) throw new Error('search index not built')
      // the span never carries the search words (they may name a person)
      const result = withSpan('search', { 'dachportal.search.kind': 'page' }, () => search(index, params, live.current))
      countSearch(params, result.total)
      return result
    },
  })
}

/** the metrics observer, plus one insights count per proxied request */
function countingObserver(metrics: FastifyInstance['metrics'], insights: InsightsRecorder): FastifyInstance['metrics'] {
  return Object.assign(Object.create(metrics) as FastifyInstance['metrics'], {
    observeUpstream(member: string, status: number, seconds: number) {
      metrics.observeUpstream(member, status, seconds)
      insights.proxy(member)
    },
    upstreamError: (member: string, kind: string) => metrics.upstreamError(member, kind),
  })
}

function usableMembers(live: LiveCatalog): number {
  return live.current.members.filter((m) => m.status !== 'failed').length
}

/** How else residents reach a city when its online service fails. */
function contactFor(live: LiveCatalog, id: string): MemberContact | undefined {
  const member = live.current.memberById.get(id)
  if (!member) return undefined
  const contact: MemberContact = { name: member.name }
  if (member.contact?.phone) contact.phone = member.contact.phone
  if (member.contact?.email) contact.email = member.contact.email
  if (member.portalUrl) contact.portalUrl = member.portalUrl
  if (member.websiteUrl) contact.websiteUrl = member.websiteUrl
  return contact
}

async function registerDocs(app: FastifyInstance, settings: Settings, data: RegionData): Promise<void> {
  const ids = { members: data.region.members.map((m) => m.id), lifeSituations: data.lifeSituations.map((l) => l.id) }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'dachportal API – Serviceportal Emscher-Lippe',
        version: '1.0.0',
        description: 'Regional catalog, search and navigation over the service portals of the Emscher-Lippe member cities, Kreis Recklinghausen, Land NRW and Bund. Errors are application/problem+json (RFC 9457). '
          + 'Summaries are German, descriptions English. Every operation has a stable operationId; API routes (/api/v1/*, /go) answer 400 to query parameters they do not declare. '
          + 'This document is self-contained (the manifest schema is components.schemas.Manifest): save it and generate a client offline.',
        // the repository grants no licence (package.json: UNLICENSED); say so instead of inventing one
        license: { name: 'Proprietary, all rights reserved (no licence granted)', identifier: 'LicenseRef-Proprietary' },
      },
      // relative unless PUBLIC_ORIGIN names the portal's origin
      servers: [{ url: settings.proxy.publicOrigin ?? '/', description: 'this gateway' }],
      tags: [
        { name: 'Region', description: 'Region and Verbundmitglieder' },
        { name: 'Navigation', description: 'Lebenslagen, Leistungen, Zuständigkeit, Deep Links' },
        { name: 'Search', description: 'Suche und Vorschläge' },
        { name: 'Member cities', description: 'Manifest registration for member city IT teams' },
        { name: 'Proxy', description: 'Each member\'s upstream is proxied on its own origin <member>.<PROXY_BASE_DOMAIN>; ALL /cities/{member}/* on the portal\'s origin only for members marked sameOriginTrusted (others: 307 to their origin). Members without an upstream answer 404. Cookies are scoped per member, Location headers rewritten, failures answer 502/504 problem+json with the member\'s contact data, an open circuit breaker 503 with Retry-After.' },
        { name: 'Operations', description: 'Health, readiness, metrics' },
      ],
      components: {
        securitySchemes: {
          memberToken: { type: 'http', scheme: 'bearer', description: 'registration token of one member' },
          regionAdminToken: { type: 'http', scheme: 'bearer', description: 'region admin token (its SHA-256 is REGION_ADMIN_TOKEN_SHA256)' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, only when set' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (documentObject) => finishOpenApi(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, unknown>, ids),
  })
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness
    /** the search index over the live catalog (swapped when a new version is indexed) */
    searchIndex: SearchIndexHolder
    /** pilot insights recorder (absent with INSIGHTS=off); flush() writes the batch now */
    insights: InsightsRecorder
  }
}

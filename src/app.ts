// buildApp: the composition root. It reads the settings and the region
// config and registers the plugins in the order their `dependencies` ask
// for: the catalog (store, live catalog, refresher, search index), ops
// (metrics, security headers, limits), insights, the proxy, then the
// routes and the portal, which read the catalog's decorators. No I/O at
// import time; everything starts here and stops in onClose.
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import swaggerUi from '@fastify/swagger-ui'
import { loadRegionData, type RegionData } from './config/load.js'
import { readSettings, type Settings } from './config/env.js'
import { assertProxyBaseDomain } from './config/proxy-domain.js'
import { operatorGaps } from './config/operator-gaps.js'
import { assertProductionSafe } from './config/production.js'
import type { CatalogStore } from './store/types.js'
import catalogPlugin from './lifecycle/catalog-plugin.js'
import { registerProblemHandlers } from './routes/problem.js'
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.js'
import { hostProblem } from './http/host.js'
import { errors } from './http/problem.js'
import { registerCompression } from './http/compression.js'
import { portalSecurityHeaders } from './ops/security.js'
import { namedSchemas } from './routes/named-schemas.js'
import { strictApiQueries } from './routes/strict-query.js'
import { registerDocs } from './routes/docs.js'
import regionRoutes from './routes/region.js'
import catalogRoutes from './routes/catalog.js'
import onlineServiceRoutes from './routes/online-services.js'
import responsibilityRoutes from './routes/responsibility.js'
import searchRoutes from './routes/search.js'
import { adminRoutes } from './routes/admin.js'
import routingRoutes from './routes/routing.js'
import curatorRoutes from './routes/curator.js'
import fitConnectRoutes, { FIT_CONNECT_PREFIX } from './fit-connect/index.js'
import opsRoutes, { type Readiness } from './routes/health.js'
import { memberHostRouter, proxyPlugin } from './proxy/index.js'
import { memberContact } from './proxy/contact.js'
import opsPlugin from './ops/index.js'
import { genReqId } from './ops/logging.js'
import { webPlugin, deadLinkPage, prefersHtml, sendNotFoundPage } from './web/index.js'
import { tracing } from './telemetry/index.js'
import insightsPlugin, { countingObserver, searchCounter } from './insights/index.js'
import { insightsRoutes } from './insights/routes.js'
import { PII_RULES } from './insights/privacy.js'
import { coverageRoutes } from './coverage/routes.js'
import { insightsPage, type InsightsPageOptions } from './insights/page.js'
import { generatedCompilers, type CompilersFactory } from './validation/route-compilers.js'

export interface BuildOptions {
  settings?: Partial<Settings>
  /** preloaded region data (tests); otherwise read from settings.regionConfig */
  regionData?: RegionData
  /** an injected store (tests); otherwise MemoryStore, or RedisStore when redisUrl is set */
  store?: CatalogStore
  logger?: FastifyServerOptions['logger']
  /** the login brake of /einblicke and the region insights API (tests: a small budget, a recording sleep) */
  loginBrake?: InsightsPageOptions['loginBrake']
  /** route serializer/validator compilers; default: the code generated at build, else Fastify's own (src/validation/route-compilers.ts) */
  compilers?: CompilersFactory
}

/** Written by scripts/after-build.mjs next to this file's compiled form. */
export const ROUTE_COMPILERS_FILE = fileURLToPath(new URL('./route-compilers.generated.cjs', import.meta.url))

export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const settings: Settings = { ...readSettings(), ...options.settings }
  const data = options.regionData ?? await loadRegionData(settings.regionConfig)
  assertProductionSafe(settings, data)
  await assertProxyBaseDomain(settings.proxy)
  const baseDomain = settings.proxy.baseDomain
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId,
    // a hop count is valid at runtime (proxy-addr); Fastify's typings omit it
    trustProxy: settings.trustProxy as FastifyServerOptions['trustProxy'],
    bodyLimit: settings.adminBodyLimitBytes,
    // removeAdditional off: an undeclared query parameter is an error on API routes (strict-query.ts), not silently dropped
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    ...compilersOption(options.compilers ?? generatedCompilers(ROUTE_COMPILERS_FILE)),
    // bad percent-encoding and over-long path parameters are answered before any hook: problem+json too
    frameworkErrors: frameworkErrorHandler(portalSecurityHeaders()),
    clientErrorHandler: clientErrorHandler(portalSecurityHeaders()),
    // Node enforces requestTimeout only when it checks its connections (every 30 s by default)
    ...(settings.timeouts.requestMs > 0 ? { http: { connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(settings.timeouts.requestMs / 4))) } } : {}),
    return503OnClosing: true,
    // `<member>.<PROXY_BASE_DOMAIN>` reaches only that member's proxy (src/proxy/origin.ts)
    ...(baseDomain === undefined ? {} : { rewriteUrl: memberHostRouter(baseDomain) }),
  })
  // two Host fields or an invalid one: 400 before anything reads it (RFC 9112 §3.2)
  // callback style: an async hook would move every request's remaining hooks into a microtask (proxy profile, issue 26)
  app.addHook('onRequest', (request, _reply, done) => {
    const problem = hostProblem(request.raw)
    if (problem === undefined) done()
    else done(new errors.BAD_REQUEST(problem === 'duplicate' ? 'Die Anfrage enthält mehrere Host-Header.' : 'Der Host-Header ist ungültig.'))
  })
  try {
    // tracing (when started by main) first, so its span covers every other hook
    const tracer = tracing()
    if (tracer !== undefined) await app.register(tracer.requestPlugin)
    await app.register(catalogPlugin, { settings, data, ...(options.store ? { store: options.store } : {}) })
    await registerPlugins(app, settings, data, options.loginBrake)
    // Not fatal (the catalog is served, /ready stays ready); the legal pages say what is missing.
    const gaps = operatorGaps(data.region.operator)
    if (gaps.length > 0) app.log.warn({ missing: gaps }, 'region config: operator data not provided yet (Impressum, Datenschutz, Barrierefreiheit pages name what is missing)')
    return app
  } catch (err) {
    await app.close().catch(() => {})
    throw err
  }
}

function compilersOption(compilers: CompilersFactory | undefined): Pick<FastifyServerOptions, 'schemaController'> {
  return compilers === undefined ? {} : { schemaController: { compilersFactory: compilers } }
}

async function registerPlugins(app: FastifyInstance, settings: Settings, data: RegionData, loginBrake?: InsightsPageOptions['loginBrake']): Promise<void> {
  const readiness: Readiness = { draining: false }
  app.decorate('readiness', readiness)
  registerProblemHandlers(app, {
    production: settings.production,
    securityHeaders: portalSecurityHeaders(),
    // a person who mistyped a page address gets a page, programs get problem+json
    notFound: (request, reply) => (prefersHtml(request) ? sendNotFoundPage(request, reply) : undefined),
    errorPage: (request, reply, problem) => deadLinkPage(request, reply, problem.code),
  })
  for (const schema of namedSchemas) app.addSchema(schema)
  strictApiQueries(app)
  // before any route: it hooks each route as it is added (not the proxy's)
  await registerCompression(app)
  // swagger collects routes as they are added: before ops, so /metrics is documented
  await registerDocs(app, settings, data)
  // the breaker states are the proxy's, registered below (it reports to these metrics); read at scrape time
  await app.register(opsPlugin, { settings, breakerState: (id) => app.memberHealth(id)?.state })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })
  // pilot insights (src/insights): counted in memory, flushed in batches
  const insights = settings.insights
  if (insights.enabled) await app.register(insightsPlugin, { settings: insights })
  const countSearch = insights.enabled ? searchCounter(app.insights, () => app.live.current) : undefined

  await app.register(proxyPlugin, {
    members: data.region.members,
    contactFor: (id) => memberContact(app.live.current, id),
    observer: insights.enabled ? countingObserver(app.metrics, app.insights) : app.metrics,
    origins: settings.proxy,
  })
  const shared = data.region.members.filter((m) => m.upstream !== undefined && m.sameOriginTrusted === true).map((m) => m.id)
  if (shared.length > 0) app.log.warn({ members: shared }, 'sameOriginTrusted: these members are also proxied on the portal\'s origin and share it')

  await app.register(opsRoutes)
  await app.register(regionRoutes)
  await app.register(catalogRoutes)
  await app.register(onlineServiceRoutes)
  await app.register(responsibilityRoutes)
  await app.register(routingRoutes)
  await app.register(fitConnectRoutes, {
    prefix: FIT_CONNECT_PREFIX,
    production: settings.production,
    operator: data.region.operator !== undefined,
    ...(settings.proxy.publicOrigin === undefined ? {} : { publicOrigin: settings.proxy.publicOrigin }),
  })
  await app.register(searchRoutes, { observe: (kind, seconds) => app.metrics.observeSearch(kind, seconds), ...(countSearch ? { onSearch: countSearch } : {}) })
  const limits = { minCount: insights.minCount, retentionDays: insights.retentionDays }
  const regionToken = settings.regionAdminTokenSha256 ? { regionTokenSha256: settings.regionAdminTokenSha256 } : {}
  await app.register(adminRoutes, { prefix: '/api/v1/admin', bodyLimitBytes: settings.adminBodyLimitBytes, xzufi: { data }, insights: limits })
  await app.register(curatorRoutes, { ...regionToken, ...(loginBrake === undefined ? {} : { loginBrake }) })
  if (insights.enabled) {
    const brake = loginBrake === undefined ? {} : { loginBrake }
    await app.register(insightsRoutes, { ...limits, ...regionToken, ...brake, feedbackMax: insights.feedbackMax, rateLimitWindowMs: settings.rateLimitWindowMs })
    await app.register(insightsPage, {
      ...limits, ...regionToken, ...brake, production: settings.production,
      ...(settings.sessionSecret === undefined ? {} : { sessionSecret: settings.sessionSecret }),
      ...(settings.proxy.publicOrigin === undefined ? {} : { publicOrigin: settings.proxy.publicOrigin }),
    })
  }
  await app.register(coverageRoutes)
  await app.register(webPlugin, {
    operator: data.region.operator,
    reports: { retentionDays: settings.reportRetentionDays },
    onReportRefused: (reason) => app.metrics.reportRefused(reason),
    ...(insights.enabled ? { insights: { minCount: insights.minCount, retentionDays: insights.retentionDays, piiRules: PII_RULES } } : {}),
    ...(countSearch ? { onSearch: countSearch } : {}),
  })
}

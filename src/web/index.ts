// webPlugin: the reference portal for residents. Server-rendered German
// pages over the same in-process catalog and search as the API; works
// without JavaScript, portal.js only adds search suggestions. Encapsulated:
// it decorates nothing outside itself.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import { assetRoutes, loadAssets } from './assets.js'
import type { PageDeps } from './context.js'
import { homePage, lifeSituationPage, membersPage, servicePage } from './pages.js'
import { legalPages, type LegalOptions } from './legal-pages.js'
import { REPORT_BODY_LIMIT } from './report-form.js'
import { createReportLimiter } from './report-limit.js'
import { prefersHtml, sendErrorPage, sendRateLimitedPage } from './not-found.js'
import { searchPage, type SearchFn } from './search-page.js'
import { search, type SearchParams } from '../search/search.js'
import { withSpan } from '../telemetry/index.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

export { deadLinkPage, prefersHtml, sendNotFoundPage } from './not-found.js'

/** Catalog, search index, report store and breaker states come from the app (app.live, app.searchIndex, app.store, app.memberHealth). */
export interface WebPluginOptions {
  /** each answered search with its total (pilot insights count it; must not throw or block) */
  onSearch?: (params: SearchParams, total: number, client: string) => void
  /** folder with portal.css, portal.js and icon.svg (tests); defaults to src/web/assets */
  assetsDir?: string
  /** the region config's operator block (undefined: the legal pages say what is missing) */
  operator: LegalOptions['operator']
  /** how long "Barriere melden" reports are kept (they go to the catalog store) */
  reports: Omit<LegalOptions['reports'], 'store'>
  /** what the Datenschutz page says about the pilot insights (from the settings the recorder uses) */
  insights?: LegalOptions['insights']
  /** a "Barriere melden" report refused (operator metric) */
  onReportRefused?: LegalOptions['onRefused']
}

/** "Barriere melden": reports per client in REPORT_WINDOW_MS (all instances). */
const REPORTS_PER_CLIENT = 5
const REPORT_WINDOW_MS = 10 * 60_000

const QUERY = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 500 },
    plz: { type: 'string', maxLength: 50 },
    merken: { type: 'string', maxLength: 10 },
    vergessen: { type: 'string', maxLength: 10 },
    lebenslage: { type: 'string', maxLength: 100 },
    ebene: { type: 'string', maxLength: 20 },
    anbieter: { type: 'string', maxLength: 100 },
    seite: { type: 'string', maxLength: 10 },
    gemeldet: { type: 'string', maxLength: 10 },
    feedback: { type: 'string', maxLength: 10 },
  },
} as const
const ID_PARAMS = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const
const page = (params?: object) => ({ schema: { hide: true, querystring: QUERY, ...(params ? { params } : {}) } })

const web: FastifyPluginAsync<WebPluginOptions> = async (app: FastifyInstance, options) => {
  const { live, searchIndex } = app
  const reports = { ...options.reports, store: app.store }
  /** ranked search over the live catalog and its current index */
  const searchCatalog: SearchFn = (params, client) => {
    const index = searchIndex.current()
    if (!index) throw new Error('search index not built')
    // the span never carries the search words (they may name a person)
    const result = withSpan('search', { 'dachportal.search.kind': 'page' }, () => search(index, params, live.current))
    options.onSearch?.(params, result.total, client)
    return result
  }
  const assets = await loadAssets(options.assetsDir)
  const deps: PageDeps = {
    catalog: () => live.current,
    health: (id) => app.memberHealth(id),
    css: assets.get('portal.css')?.href ?? '/assets/portal.css',
    js: assets.get('portal.js')?.href ?? '/assets/portal.js',
    icon: assets.get('icon.svg')?.href ?? '/assets/icon.svg',
  }

  const legal = legalPages(deps, {
    operator: options.operator,
    reports,
    limiter: createReportLimiter(reports.store, REPORTS_PER_CLIENT, REPORT_WINDOW_MS),
    ...(options.onReportRefused ? { onRefused: options.onReportRefused } : {}),
    ...(options.insights ? { insights: options.insights } : {}),
  })
  // The report form posts urlencoded without JavaScript; only inside this plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: REPORT_BODY_LIMIT }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  // Over-long or odd query values are a person's typo: an HTML page, not problem+json.
  app.setErrorHandler((error, request, reply) => {
    if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' && request.routeOptions.url === '/barrierefreiheit') {
      return legal.tooLarge(request, reply)
    }
    if ((error as { validation?: unknown }).validation !== undefined) {
      return reply.redirect(request.url.split('?', 1)[0] ?? '/', 303)
    }
    // A client's error (429 from the rate limiter, thrown in an app-wide hook)
    // is not the portal's failure: no error log, no 500. Browsers get a page,
    // programs the app's problem+json (rethrown to the parent handler).
    const status = (error as { statusCode?: number }).statusCode ?? 500
    if (status >= 400 && status < 500) {
      if (status === 429 && prefersHtml(request)) return sendRateLimitedPage(request, reply, retryAfterOf(reply), deps)
      throw error
    }
    request.log.error({ err: error }, 'portal page failed')
    return sendErrorPage(request, reply, deps)
  })

  assetRoutes(app, assets)
  app.get('/', page(), homePage(deps))
  app.get('/suche', page(), searchPage(deps, searchCatalog, options.operator))
  app.get('/lebenslagen/:id', page(ID_PARAMS), lifeSituationPage(deps))
  app.get('/leistungen/:id', page(ID_PARAMS), servicePage(deps))
  app.get('/mitglieder', page(), membersPage(deps))
  app.get('/impressum', page(), legal.impressum)
  app.get('/datenschutz', page(), legal.datenschutz)
  app.get('/barrierefreiheit', page(), legal.barrierefreiheit)
  app.post('/barrierefreiheit', { schema: { hide: true }, bodyLimit: REPORT_BODY_LIMIT }, legal.report)
  app.get('/leichte-sprache', page(), legal.leichteSprache)
  app.get('/gebaerdensprache', page(), legal.gebaerdensprache)
}

/** the seconds the rate limiter put in Retry-After (at least 1) */
function retryAfterOf(reply: FastifyReply): number {
  const seconds = Number(reply.getHeader('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1
}

export const webPlugin = readsCatalog(web, 'dachportal-web', ['live', 'store', 'searchIndex', 'memberHealth'], ['dachportal-proxy'])

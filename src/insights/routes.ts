// Insights routes: the feedback form post (public, no JS needed) and the
// region report (region admin token). The member report lives with the other
// member routes in src/routes/admin.ts (same auth hook); both read through
// readInsights here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ServiceId } from '../catalog/schemas.js'
import { errors } from '../http/problem.js'
import type { CounterStore } from '../store/counters.js'
import { buildReport, daysBetween, reportCsv, type InsightsReport } from './report.js'
import { dayOf, FEEDBACK_REASONS, NO_MEMBER, type FeedbackAnswer } from './fields.js'
import type { InsightsRecorder } from './recorder.js'
import { digestMatches, parseBearer, sha256 } from '../auth/token.js'
import { createLoginBrake, type FailedAuthLimiterOptions, type LoginBrake } from '../auth/failed-auth-limiter.js'
import { clientNetwork, hashedClientNetwork } from '../http/client-key.js'
import { truncateIp } from '../ops/logging.js'
import type { CatalogStore } from '../store/types.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

const DAY = '^\\d{4}-\\d{2}-\\d{2}$'

export const InsightsQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: DAY, description: 'first day (UTC, YYYY-MM-DD); default 7 days before to' })),
  to: Type.Optional(Type.String({ pattern: DAY, description: 'last day (UTC, YYYY-MM-DD); default today' })),
}, { additionalProperties: false })

/** the feedback form's fields; `leistung` is any service id the portal shows, member-local ones included */
const FeedbackForm = Type.Object({
  leistung: ServiceId,
  mitglied: Type.Optional(Type.String({ maxLength: 64 })),
  plz: Type.Optional(Type.String({ pattern: '^[0-9]{5}$', description: 'the postal code the page was shown for: the thanks comes back on the same page' })),
  antwort: Type.Unsafe<FeedbackAnswer>({ type: 'string', enum: ['ja', 'nein', ...FEEDBACK_REASONS] }),
})

const Row = { type: 'object', additionalProperties: true }
export const InsightsReportSchema = {
  $id: 'InsightsReport',
  type: 'object',
  description: 'Aggregated per-day counters; query texts only when at least minCount distinct client networks used them on one day; their count is that distinct count. CSV with Accept: text/csv.',
  required: ['from', 'to', 'member', 'minCount', 'days', 'zeroResultQueries', 'topQueries', 'go', 'proxy', 'feedback', 'lifeSituations', 'serviceViews'],
  properties: {
    from: { type: 'string' }, to: { type: 'string' }, member: { type: ['string', 'null'] }, minCount: { type: 'integer' },
    days: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, searches: { type: 'integer' }, zeroResults: { type: 'integer' }, filtered: { type: 'integer' } } } },
    zeroResultQueries: { type: 'array', items: Row }, topQueries: { type: 'array', items: Row },
    go: { type: 'array', items: Row }, proxy: { type: 'array', items: Row }, feedback: { type: 'array', items: Row },
    lifeSituations: { type: 'array', items: Row }, serviceViews: { type: 'array', items: Row },
  },
} as const

export interface ReadInsightsOptions {
  store: CounterStore
  minCount: number
  retentionDays: number
  now?: () => Date
}

export async function readInsights(options: ReadInsightsOptions, query: Static<typeof InsightsQuery>, member?: string): Promise<InsightsReport> {
  // the pattern lets 2026-13-01 or 2026-11-31 through; Date would throw or roll them over
  for (const [name, day] of [['from', query.from], ['to', query.to]] as const) {
    if (day !== undefined && !isCalendarDay(day)) throw new errors.BAD_QUERY(`${name} ist kein gültiger Tag (JJJJ-MM-TT): ${day}`)
  }
  const today = dayOf((options.now ?? (() => new Date()))())
  const to = query.to ?? today
  const from = query.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - 7 * 86_400_000))
  if (from > to) throw new errors.BAD_QUERY('from darf nicht nach to liegen.')
  const days = daysBetween(from, to, options.retentionDays + 1)
  const counters = await options.store.readCounts(days)
  return buildReport(counters, { from, to, minCount: options.minCount, ...(member === undefined ? {} : { member }) })
}

/** YYYY-MM-DD of a real day (not 2026-13-01 nor 2026-11-31) */
export function isCalendarDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`)
  return Number.isFinite(t) && dayOf(new Date(t)) === day
}

/** JSON by default, CSV when the client asks for text/csv */
export function sendReport(request: FastifyRequest, reply: FastifyReply, report: InsightsReport): FastifyReply | InsightsReport {
  reply.header('cache-control', 'no-store').header('vary', 'accept')
  if (/\btext\/csv\b/i.test(request.headers.accept ?? '')) {
    return reply.type('text/csv; charset=utf-8').send(reportCsv(report))
  }
  return report
}

/**
 * The region admin token (REGION_ADMIN_TOKEN_SHA256) or a 401 problem. The
 * brake counts per client network before the token is checked: a guesser
 * waits, the region's own token does not.
 */
export async function requireRegionToken(
  request: FastifyRequest, reply: FastifyReply, brake: LoginBrake, regionTokenSha256: string | undefined, what: string,
): Promise<void> {
  const attempt = await brake.begin(clientNetwork(request.ip))
  const token = parseBearer(request.headers.authorization)
  if (token !== undefined && regionTokenSha256 !== undefined && digestMatches(sha256(token), regionTokenSha256)) return attempt.succeeded()
  const failures = await attempt.failed('region')
  request.log.warn({ client: truncateIp(clientNetwork(request.ip)), failures, delayMs: attempt.delayMs }, `${what} authentication failed`)
  reply.header('www-authenticate', 'Bearer realm="dachportal-admin"')
  throw token === undefined ? new errors.AUTH_MISSING() : new errors.AUTH_INVALID()
}

/** Counters and recorder come from the app (app.store, app.insights); members and services known from app.live. */
export interface InsightsRoutesOptions extends Omit<ReadInsightsOptions, 'store'> {
  regionTokenSha256?: string
  feedbackMax: number
  rateLimitWindowMs: number
  /** the region token's brake, per client network (tests: a recording sleep) */
  loginBrake?: FailedAuthLimiterOptions
}

interface Services {
  store: CounterStore
  recorder: InsightsRecorder
  catalogStore: CatalogStore
  knows: { member: (id: string) => boolean; service: (id: string) => boolean }
}

async function routes(fastify: FastifyInstance, config: InsightsRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { live } = app
  const options: InsightsRoutesOptions & Services = {
    ...config,
    store: app.store,
    catalogStore: app.store,
    recorder: app.insights,
    knows: { member: (id) => live.current.memberById.has(id), service: (id) => live.current.serviceById.has(id) },
  }
  const brake = createLoginBrake(options.catalogStore, config.loginBrake)
  app.get('/api/v1/admin/insights', {
    schema: {
      tags: ['Member cities'],
      operationId: 'getRegionInsights',
      summary: 'Pilot-Einblicke für die ganze Region (Regions-Admin-Token)',
      description: 'Bearer token whose SHA-256 is REGION_ADMIN_TOKEN_SHA256. Aggregated counters only, nothing that identifies a person.',
      security: [{ regionAdminToken: [] }],
      querystring: InsightsQuery,
      response: { 200: { $ref: 'InsightsReport#' }, 401: { $ref: 'Problem#' }, 400: { $ref: 'Problem#' } },
    },
  }, async (request, reply) => {
    await requireRegionToken(request, reply, brake, options.regionTokenSha256, 'region insights')
    return sendReport(request, reply, await readInsights(options, request.query))
  })

  // "War diese Seite hilfreich?": a plain form post, answered with a redirect
  // back to the page (no JS needed). Only fixed answers are accepted.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2048 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    // own budget in the shared store (all instances), keyed by a hash of the
    // client network (the one client key); the key expires with the window
    const overBudget = async (request: FastifyRequest): Promise<boolean> => {
      const key = `feedback:${hashedClientNetwork(request.ip)}`
      const count = await options.catalogStore.countFailure(key, options.rateLimitWindowMs).catch(() => 0)
      return count > options.feedbackMax
    }
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/feedback', {
      schema: {
        tags: ['Navigation'],
        operationId: 'postFeedback',
        summary: 'Rückmeldung „War diese Seite hilfreich?“ (Formular, kein Freitext)',
        consumes: ['application/x-www-form-urlencoded'],
        body: FeedbackForm,
        response: { 303: { type: 'null', description: 'back to the service page' } },
      },
    }, async (request, reply) => {
      const body = request.body
      if (await overBudget(request)) {
        const retryAfter = Math.ceil(options.rateLimitWindowMs / 1000)
        throw Object.assign(new errors.RATE_LIMITED(retryAfter), { headers: { 'retry-after': String(retryAfter) } })
      }
      if (!options.knows.service(body.leistung)) throw new errors.SERVICE_NOT_FOUND(body.leistung)
      const member = body.mitglied !== undefined && options.knows.member(body.mitglied) ? body.mitglied : NO_MEMBER
      options.recorder.feedback(member, body.leistung, body.antwort)
      // a path built from a known slug: no open redirect
      const plz = body.plz !== undefined ? `plz=${body.plz}&` : ''
      return reply.redirect(`/leistungen/${body.leistung}?${plz}feedback=danke#feedback`, 303)
    })
  })
}

export const insightsRoutes = readsCatalog(routes, 'dachportal-insights-routes', ['live', 'store', 'insights'], ['dachportal-insights'])

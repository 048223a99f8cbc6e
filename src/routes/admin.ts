// Member self-registration (api.md, "Member cities"): a member city's IT puts
// its manifest with its own bearer token. Checks run cheapest and least
// revealing first, all before the body is read:
//   404 unknown member (token never looked at, so a 404 says nothing about
//   the token) -> a delay once the member's failure budget is spent (shared
//   by all instances; slows guessing, never locks the city out) ->
//   401 missing/wrong token -> 403 another member's token; then 415/413
//   (body), 422 (every issue), 503.
// On any error the previous manifest stays live: the store is written last.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { errors, withIssues } from '../errors.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest } from '../manifest/schema.js'
import type { CatalogStore } from '../store/types.js'
import { createFailedAuthLimiter, type FailedAuthLimiterOptions } from '../auth/failed-auth-limiter.js'
import { parseBearer, tokenOwner } from '../auth/token.js'
import { isRemoteManifest, type RefreshOutcome } from '../refresh/types.js'
import { truncateIp } from '../ops/logging.js'
import { normalizeIP } from '@fastify/rate-limit'
import { InsightsQuery, InsightsReportSchema, readInsights, sendReport, type ReadInsightsOptions } from '../insights/routes.js'

type Issue = { path: string; message: string }

export interface AdminRoutesOptions {
  store: CatalogStore
  members: readonly MemberConfig[]
  validate: (doc: unknown, member: MemberConfig) => { ok: true; value: Manifest } | { ok: false; errors: Issue[] }
  /** re-fetch a remote manifest now (the refresher's refreshNow) */
  refresh?: (memberId: string) => Promise<RefreshOutcome>
  /** largest accepted manifest body, default 1 MB */
  bodyLimitBytes?: number
  failedAuth?: FailedAuthLimiterOptions
  now?: () => Date
  /** GET /members/:id/insights reads the pilot insights through this */
  insights?: ReadInsightsOptions
}

// Fastify tests the whole header, parameters included
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i
const params = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'member id (slug from the region config)', examples: ['gladbeck'] } },
  required: ['id'],
} as const
const problem = { $ref: 'Problem#' }
const authProblems = { 401: problem, 403: problem, 404: problem, 429: problem }
const docs = (summary: string, description: string) => ({
  tags: ['Member cities'],
  summary,
  description,
  security: [{ memberToken: [] }],
  params,
})
const Accepted = {
  type: 'object',
  required: ['member', 'version', 'acceptedAt'],
  properties: {
    member: { type: 'string', examples: ['gladbeck'] },
    version: { type: 'integer', description: 'catalog version that contains this manifest', examples: [42] },
    acceptedAt: { type: 'string', format: 'date-time', examples: ['2026-11-25T10:00:00.000Z'] },
  },
} as const
const Outcome = {
  type: 'object',
  required: ['member', 'outcome'],
  properties: {
    member: { type: 'string', examples: ['marl'] },
    outcome: { type: 'string', enum: ['updated', 'not-modified', 'failed', 'busy', 'fresh', 'superseded'] },
    status: { type: 'string', enum: ['ok', 'stale', 'failed'] },
    version: { type: 'integer' },
    lastError: { type: 'string', examples: ['HTTP 503 from https://www.marl.de/dachportal/manifest.json'] },
  },
} as const

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  if (!options.store || !Array.isArray(options.members) || typeof options.validate !== 'function') {
    throw new Error('adminRoutes needs { store, members, validate }')
  }
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024
  const now = options.now ?? (() => new Date())
  const members = new Map(options.members.map((m) => [m.id, m]))
  const authorized = new WeakMap<FastifyRequest, MemberConfig>()
  const limiter = createFailedAuthLimiter(options.store, options.failedAuth)

  registerJsonOnly(app, bodyLimit)

  app.addHook('onRequest', async (request) => {
    const id = (request.params as { id?: string }).id ?? ''
    const member = members.get(id)
    if (!member) throw new errors.MEMBER_NOT_FOUND(id.slice(0, 64))
    const client = truncateIp(normalizeIP(request.ip, 64)) ?? 'unknown'
    const delayMs = await limiter.brake(id)
    if (delayMs > 0) request.log.info({ member: id, client, delayMs }, 'admin authentication slowed: failure budget spent')
    const fail = async (error: Error): Promise<Error> => {
      await limiter.recordFailure(id)
      request.log.warn({ member: id, client, code: (error as { code?: string }).code }, 'admin authentication failed')
      return Object.assign(error, { headers: { 'www-authenticate': 'Bearer realm="dachportal-admin"' } })
    }
    const token = parseBearer(request.headers.authorization)
    if (token === undefined) throw await fail(new errors.AUTH_MISSING())
    const owner = tokenOwner(token, options.members)
    if (owner === undefined) throw await fail(new errors.AUTH_INVALID())
    if (owner.id !== member.id) throw await fail(new errors.AUTH_FORBIDDEN(member.id))
    authorized.set(request, member)
  })

  const memberOf = (request: FastifyRequest): MemberConfig => {
    const member = authorized.get(request)
    if (!member) throw new errors.AUTH_MISSING() // unreachable: the hook guards every route
    return member
  }

  app.put('/members/:id/manifest', {
    bodyLimit,
    schema: {
      ...docs('Register a new manifest for your member', 'Body: the manifest (schema at /schemas/manifest.json), JSON only. Validated against the schema and the region rules (allowed hosts, catalog keys, Lebenslagen); 422 lists every error with its JSON path. On any error the previous manifest stays live.'),
      response: { 200: Accepted, ...authProblems, 413: problem, 415: problem, 422: problem, 503: problem },
    },
  }, async (request) => {
    const member = memberOf(request)
    if (request.body === undefined || request.body === null) throw new errors.MEDIA_TYPE()
    const result = options.validate(request.body, member)
    if (!result.ok) throw invalid(result.errors)
    // defence in depth: the validator checks this too
    if (result.value.member !== member.id) {
      throw invalid([{ path: '/member', message: `must be "${member.id}" (the member in the URL)` }])
    }
    const acceptedAt = now().toISOString()
    const version = await options.store.putManifest(member.id, result.value, { source: 'api', acceptedAt })
    request.log.info({ member: member.id, version }, 'manifest accepted')
    return { member: member.id, version, acceptedAt }
  })

  app.get('/members/:id/manifest', {
    schema: {
      ...docs('The manifest stored for your member', 'Returns the manifest as stored (last known good); header X-Dachportal-Member-Status tells ok, stale or failed.'),
      response: { ...authProblems, 503: problem },
    },
  }, async (request, reply) => {
    const member = memberOf(request)
    const state = await options.store.getMember(member.id)
    if (!state?.manifest) throw new errors.NOT_FOUND(`No manifest stored for member ${member.id}`)
    reply.header('cache-control', 'no-store').header('x-dachportal-member-status', state.status)
    return state.manifest
  })

  app.post('/members/:id/refresh', {
    schema: {
      ...docs('Fetch your remote manifest now', 'Only for members whose region config points at an https manifest URL; one instance fetches at a time (others answer busy). A failed fetch keeps the last good manifest live.'),
      response: { 200: Outcome, ...authProblems, 409: problem, 503: problem },
    },
  }, async (request) => {
    const member = memberOf(request)
    if (!options.refresh || !isRemoteManifest(member.manifest)) throw new errors.MANIFEST_NOT_REMOTE(member.id)
    return options.refresh(member.id)
  })

  const insights = options.insights
  if (insights) {
    app.get('/members/:id/insights', {
      schema: {
        ...docs('Pilot insights for your member', 'Aggregated per-day counters for your member: searches and zero-result searches of your residents (query texts only with at least INSIGHTS_MIN_COUNT uses on one day), /go redirects and proxy requests per service, feedback on your offerings including broken-link reports. JSON, or CSV with Accept: text/csv.'),
        querystring: InsightsQuery,
        response: { 200: InsightsReportSchema, ...authProblems, 400: problem, 503: problem },
      },
    }, async (request, reply) => {
      const member = memberOf(request)
      return sendReport(request, reply, await readInsights(insights, request.query as { from?: string; to?: string }, member.id))
    })
  }
}

function invalid(issues: Issue[]): Error {
  return withIssues(new errors.MANIFEST_INVALID(issues.length), issues)
}

/** JSON bodies only; anything else is 415 before a byte is parsed. */
function registerJsonOnly(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    // POST .../refresh sent with a JSON content type and no body
    if (body === '') return done(null, undefined)
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      const message = `not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`
      done(invalid([{ path: '', message }]), undefined)
    }
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new errors.MEDIA_TYPE(), undefined))
}

// Member self-registration (api.md, "Member cities"): a member city's IT puts
// its manifest with its own bearer token. Checks run cheapest and least
// revealing first, all before the body is read:
//   429 too many failed attempts -> 404 unknown member (token never looked at,
//   so a 404 says nothing about the token) -> 401 missing/wrong token ->
//   403 another member's token; then 415/413 (body), 422 (every issue), 503.
// On any error the previous manifest stays live: the store is written last.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { errors, withIssues } from '../errors.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest } from '../manifest/schema.js'
import type { CatalogStore } from '../store/types.js'
import { createFailedAuthLimiter, type FailedAuthLimiterOptions } from '../auth/failed-auth-limiter.js'
import { parseBearer, tokenOwner } from '../auth/token.js'
import { isRemoteManifest, type RefreshOutcome } from '../refresh/types.js'

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
}

// Fastify tests the whole header, parameters included
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i
const params = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
} as const

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  if (!options.store || !Array.isArray(options.members) || typeof options.validate !== 'function') {
    throw new Error('adminRoutes needs { store, members, validate }')
  }
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024
  const now = options.now ?? (() => new Date())
  const members = new Map(options.members.map((m) => [m.id, m]))
  const authorized = new WeakMap<FastifyRequest, MemberConfig>()
  const limiter = createFailedAuthLimiter(options.failedAuth)

  registerJsonOnly(app, bodyLimit)

  app.addHook('onRequest', async (request) => {
    const id = (request.params as { id?: string }).id ?? ''
    const client = request.ip
    const wait = limiter.retryAfter(client, id)
    if (wait > 0) {
      throw Object.assign(new errors.AUTH_RATE_LIMITED(), { headers: { 'retry-after': String(wait) } })
    }
    const member = members.get(id)
    if (!member) throw new errors.MEMBER_NOT_FOUND(id.slice(0, 64))
    const fail = (error: Error): Error => {
      limiter.recordFailure(client, id)
      request.log.warn({ member: id, client: truncateIp(client), code: (error as { code?: string }).code }, 'admin authentication failed')
      return Object.assign(error, { headers: { 'www-authenticate': 'Bearer realm="dachportal-admin"' } })
    }
    const token = parseBearer(request.headers.authorization)
    if (token === undefined) throw fail(new errors.AUTH_MISSING())
    const owner = tokenOwner(token, options.members)
    if (owner === undefined) throw fail(new errors.AUTH_INVALID())
    if (owner.id !== member.id) throw fail(new errors.AUTH_FORBIDDEN(member.id))
    authorized.set(request, member)
  })

  const memberOf = (request: FastifyRequest): MemberConfig => {
    const member = authorized.get(request)
    if (!member) throw new errors.AUTH_MISSING() // unreachable: the hook guards every route
    return member
  }

  app.put('/members/:id/manifest', { bodyLimit, schema: { params } }, async (request) => {
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

  app.get('/members/:id/manifest', { schema: { params } }, async (request, reply) => {
    const member = memberOf(request)
    const state = await options.store.getMember(member.id)
    if (!state?.manifest) throw new errors.NOT_FOUND(`No manifest stored for member ${member.id}`)
    reply.header('cache-control', 'no-store').header('x-dachportal-member-status', state.status)
    return state.manifest
  })

  app.post('/members/:id/refresh', { schema: { params } }, async (request) => {
    const member = memberOf(request)
    if (!options.refresh || !isRemoteManifest(member.manifest)) throw new errors.MANIFEST_NOT_REMOTE(member.id)
    return options.refresh(member.id)
  })
}

function invalid(issues: Issue[]): Error {
  return withIssues(new errors.MANIFEST_INVALID(issues.length), issues)
}

/** JSON bodies only; anything else is 415 before a byte is parsed. */
function registerJsonOnly(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      const message = `not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`
      done(invalid([{ path: '', message }]), undefined)
    }
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new errors.MEDIA_TYPE(), undefined))
}

/** enough to tell clients apart in logs, not enough to identify a person */
export function truncateIp(ip: string): string {
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}::`
  const parts = ip.split('.')
  return parts.length === 4 ? `${parts.slice(0, 3).join('.')}.0` : 'unknown'
}

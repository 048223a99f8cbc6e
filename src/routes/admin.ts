// Member self-registration (api.md, "Member cities"): a member city's IT puts
// its manifest with its own bearer token. Checks run cheapest and least
// revealing first, all before the body is read:
//   404 unknown member (token never looked at, so a 404 says nothing about
//   the token) -> a delay once the member's failure budget is spent (shared
//   by all instances; slows guessing, never locks the city out) ->
//   401 missing/wrong token -> 403 another member's token; then 415/413
//   (body), 422 (every issue), 503.
// On any error the previous manifest stays live: the store is written last.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { errors, withIssues } from '../http/problem.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest } from '../manifest/schema.js'
import type { CatalogStore, MemberMeta } from '../store/types.js'
import { FencedOut, manifestFingerprint } from '../store/fence.js'
import { evaluateIfMatch, manifestEtag } from '../http/precondition.js'
import { createFailedAuthLimiter, type FailedAuthLimiterOptions } from '../auth/failed-auth-limiter.js'
import { parseBearer, tokenOwner } from '../auth/token.js'
import type { RefreshOutcome } from '../refresh/types.js'
import { isRefreshed } from '../config/member-source.js'
import { truncateIp } from '../ops/logging.js'
import { clientNetwork } from '../http/client-key.js'
import { errorCodes } from 'fastify'
import type { Readable } from 'node:stream'
import type { RegionData } from '../config/load.js'
import { XmlRejected } from '../import/xml-reader.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'
import { mapAndValidate, mapContextFor, readXzufi } from '../import/xzufi-import.js'
import { InsightsQuery, InsightsReportSchema, readInsights, sendReport, type ReadInsightsOptions } from '../insights/routes.js'

import type { Issue } from '../http/problem.js'

/** Store, members, validation and refreshNow come from the catalog plugin (app.store, app.live, app.refresher). */
export interface AdminRoutesOptions {
  /** largest accepted manifest body, default 1 MB */
  bodyLimitBytes?: number
  failedAuth?: FailedAuthLimiterOptions
  now?: () => Date
  /** region facts for POST .../import (XZuFi); the route answers 415 without them */
  xzufi?: { data: Pick<RegionData, 'region' | 'serviceCatalog' | 'lifeSituations'>; bodyLimitBytes?: number }
  /** GET /members/:id/insights reads the pilot insights (from the catalog store) with these limits */
  insights?: Omit<ReadInsightsOptions, 'store'>
}

// Fastify tests the whole header, parameters included
const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i
// text/xml too (RFC 7303): what curl users and many export tools send
const XML_TYPE = /^(?:application\/(?:x-xzufi\+)?|text\/)xml\s*(?:;|$)/i
const IMPORT_ROUTE = '/members/:id/import'
const UTF8 = new TextDecoder('utf-8', { fatal: true })
const params = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'member id (slug from the region config)', examples: ['gladbeck'] } },
  required: ['id'],
} as const
const problem = { $ref: 'Problem#' }
const IF_MATCH_DOC = 'With If-Match (the ETag of GET .../manifest, or *) it is stored only over that manifest, else 412 with the current ETag; without it the last write wins. The 200 carries the ETag of the stored manifest.'
const ifMatchHeader = {
  type: 'object',
  properties: { 'if-match': { type: 'string', maxLength: 1024, description: 'ETag of the manifest this edit is based on (from GET .../manifest or the last 200), or * for "any stored manifest"', examples: ['"5f0c6e1b3a2d4c9e8f7a6b5c4d3e2f1a0b9c8d7e"'] } },
} as const
const authProblems = { 401: problem, 403: problem, 404: problem, 429: problem }
const docs = (operationId: string, summary: string, description: string) => ({
  tags: ['Member cities'],
  operationId,
  summary,
  description,
  security: [{ memberToken: [] }],
  params,
})
const Accepted = {
  $id: 'ManifestAccepted',
  type: 'object',
  description: 'the manifest is live',
  required: ['member', 'version', 'acceptedAt'],
  properties: {
    member: { type: 'string', examples: ['gladbeck'] },
    version: { type: 'integer', description: 'catalog version that contains this manifest', examples: [42] },
    acceptedAt: { type: 'string', format: 'date-time', examples: ['2026-11-25T10:00:00.000Z'] },
  },
} as const
const Outcome = {
  $id: 'RefreshOutcome',
  type: 'object',
  description: 'what the fetch of the remote manifest did',
  required: ['member', 'outcome'],
  properties: {
    member: { type: 'string', examples: ['marl'] },
    outcome: { type: 'string', enum: ['updated', 'not-modified', 'failed', 'busy', 'fresh', 'superseded'] },
    status: { type: 'string', enum: ['ok', 'stale', 'failed'] },
    version: { type: 'integer' },
    lastError: { type: 'string', examples: ['HTTP 503 from https://www.marl.de/dachportal/manifest.json'] },
  },
} as const

const ImportAccepted = {
  $id: 'ImportAccepted',
  type: 'object',
  description: 'the imported manifest is live; with the mapping report',
  required: ['member', 'version', 'acceptedAt', 'report'],
  properties: { ...Accepted.properties, report: { type: 'object', additionalProperties: true, description: 'counts read and mapped, dropped items with reasons, facts without a manifest field' } },
} as const
export const adminSchemas = [Accepted, Outcome, ImportAccepted]

const admin: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  const { store, live, refresher } = app
  const validate = (doc: unknown, member: MemberConfig) => live.validate(doc, member)
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024
  const now = options.now ?? (() => new Date())
  const members = live.members
  const memberList = [...members.values()]
  const authorized = new WeakMap<FastifyRequest, MemberConfig>()
  const limiter = createFailedAuthLimiter(store, options.failedAuth)

  const importLimit = options.xzufi?.bodyLimitBytes ?? 64 * 1024 * 1024
  registerJsonOnly(app, bodyLimit, importLimit)

  app.addHook('onRequest', async (request) => {
    const id = (request.params as { id?: string }).id ?? ''
    const member = members.get(id)
    if (!member) throw new errors.MEMBER_NOT_FOUND(id.slice(0, 64))
    const client = truncateIp(clientNetwork(request.ip)) ?? 'unknown'
    const delayMs = await limiter.brake(id)
    if (delayMs > 0) request.log.info({ member: id, client, delayMs }, 'admin authentication slowed: failure budget spent')
    const fail = async (error: Error): Promise<Error> => {
      await limiter.recordFailure(id)
      request.log.warn({ member: id, client, code: (error as { code?: string }).code }, 'admin authentication failed')
      return Object.assign(error, { headers: { 'www-authenticate': 'Bearer realm="dachportal-admin"' } })
    }
    const token = parseBearer(request.headers.authorization)
    if (token === undefined) throw await fail(new errors.AUTH_MISSING())
    const owner = tokenOwner(token, memberList)
    if (owner === undefined) throw await fail(new errors.AUTH_INVALID())
    if (owner.id !== member.id) throw await fail(new errors.AUTH_FORBIDDEN(member.id))
    authorized.set(request, member)
  })

  const memberOf = (request: FastifyRequest): MemberConfig => {
    const member = authorized.get(request)
    if (!member) throw new errors.AUTH_MISSING() // unreachable: the hook guards every route
    return member
  }

  // If-Match: a write lands only over the manifest the client last read (or
  // any, with `*`). Checked against a fresh read first (a quick 412 before the
  // body is validated), then again atomically with the write itself.
  const precondition = (request: FastifyRequest, member: MemberConfig, stored: Manifest | undefined): string | undefined => {
    const current = manifestFingerprint(stored)
    const checked = evaluateIfMatch(request.headers['if-match'], current)
    if (!checked.ok) throw manifestChanged(member.id, current)
    return checked.expected
  }
  const manifestChanged = (id: string, current: string): Error => {
    const etag = manifestEtag(current)
    return Object.assign(new errors.MANIFEST_CHANGED(id, etag ?? 'keines gespeichert'), etag === undefined ? {} : { headers: { etag } })
  }
  const storeManifest = async (reply: FastifyReply, id: string, manifest: Manifest, meta: MemberMeta, expected: string | undefined): Promise<number> => {
    try {
      const version = await store.putManifest(id, manifest, meta, expected)
      reply.header('etag', manifestEtag(manifestFingerprint(manifest)))
      return version
    } catch (error) {
      if (!(error instanceof FencedOut)) throw error
      throw manifestChanged(id, manifestFingerprint((await store.getMember(id))?.manifest))
    }
  }

  app.put('/members/:id/manifest', {
    bodyLimit,
    schema: {
      ...docs('putMemberManifest', 'Neues Manifest für das eigene Mitglied registrieren', `Body: the manifest (schema at /schemas/manifest.json), JSON only. Validated against the schema and the region rules (allowed hosts, catalog keys, Lebenslagen); 422 lists every error with its JSON path. On any error the previous manifest stays live. ${IF_MATCH_DOC}`),
      headers: ifMatchHeader,
      response: { 200: { $ref: 'ManifestAccepted#' }, ...authProblems, 412: problem, 413: problem, 415: problem, 422: problem, 503: problem },
    },
  }, async (request, reply) => {
    const member = memberOf(request)
    const stored = await store.getMember(member.id)
    const expected = precondition(request, member, stored?.manifest)
    if (request.body === undefined) {
      // the JSON parser passes an empty body on (POST .../refresh): here it is a missing manifest, not a wrong type
      if (JSON_TYPE.test(request.headers['content-type'] ?? '')) throw invalid([{ path: '', message: 'the body is empty: send the manifest' }])
      throw new errors.MEDIA_TYPE()
    }
    const result = validate(request.body, member)
    if (!result.ok) throw invalid(result.errors, result.total)
    // defence in depth: the validator checks this too
    if (result.value.member !== member.id) {
      throw invalid([{ path: '/member', message: `must be "${member.id}" (the member in the URL)` }])
    }
    const acceptedAt = now().toISOString()
    // the registration supersedes the bundled file live now (and carries its hash on), until the operator changes that file
    const fileSha256 = stored?.meta.fileSha256
    const version = await storeManifest(reply, member.id, result.value, { source: 'api', acceptedAt, ...(fileSha256 === undefined ? {} : { fileSha256 }) }, expected)
    request.log.info({ member: member.id, version }, 'manifest accepted')
    return { member: member.id, version, acceptedAt }
  })

  // The import is stored through the same path as the PUT above: validated by
  // validate, written last, so any failure leaves the last good manifest.
  app.post(IMPORT_ROUTE, {
    schema: {
      ...docs('importMemberManifest', 'Manifest aus einem XZuFi-Export registrieren', `Body: an XZuFi 2.2.0 (or 2.1.0) document, Content-Type application/xml, text/xml or application/x-xzufi+xml, UTF-8, no DOCTYPE. It is mapped to a schema-v2 manifest for your member (what is dropped and why is in the report) and validated like a PUT of the manifest; 422 lists every error, the previous manifest stays live. ${IF_MATCH_DOC}`),
      headers: ifMatchHeader,
      response: {
        200: { $ref: 'ImportAccepted#' },
        ...authProblems, 412: problem, 413: problem, 415: problem, 422: problem, 503: problem,
      },
    },
  }, async (request, reply) => {
    const member = memberOf(request)
    const body = request.body as Readable | undefined
    if (!options.xzufi || !body || typeof (body as { on?: unknown }).on !== 'function') throw new errors.MEDIA_TYPE()
    let read
    try {
      read = await readXzufi(body, { maxBytes: importLimit })
    } catch (error) {
      body.resume() // drain the rest so the connection can answer
      if (error instanceof XmlRejected) {
        if (error.code === 'size') throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()
        throw invalid([{ path: '', message: `XZuFi rejected (${error.code}): ${error.message}` }])
      }
      throw error
    }
    const current = await store.getMember(member.id)
    const expected = precondition(request, member, current?.manifest)
    const context = mapContextFor(options.xzufi.data, member, current?.manifest?.links, read.version, now())
    const result = mapAndValidate(read.records, context, (doc) => validate(doc, member))
    if (!result.ok || !result.value) {
      const { mapped, dropped } = result.report
      const summary = { path: '', message: `mapping report: ${mapped.services} services, ${mapped.offices} offices, ${mapped.onlineServices} online services mapped, ${dropped.length} dropped` }
      // why they were dropped (the CLI prints the same report); the report lines are no errors
      const reasons = dropped.slice(0, MAX_DROPPED_LINES).map((d) => ({ path: '', message: `dropped ${d.kind} ${d.id}${d.name ? ` "${d.name}"` : ''}: ${d.reason}` }))
      if (dropped.length > MAX_DROPPED_LINES) reasons.push({ path: '', message: `… and ${dropped.length - MAX_DROPPED_LINES} more dropped (dachportal-import prints every one)` })
      throw invalid([...result.errors, summary, ...reasons], result.total ?? result.errors.length)
    }
    const acceptedAt = now().toISOString()
    const version = await storeManifest(reply, member.id, result.value, { source: 'api', acceptedAt }, expected)
    request.log.info({ member: member.id, version, services: result.report.mapped.services }, 'xzufi import accepted')
    return { member: member.id, version, acceptedAt, report: result.report }
  })

  app.get('/members/:id/manifest', {
    // uncompressed, so its strong ETag names one byte sequence (RFC 9110 8.8.3)
    compress: false,
    schema: {
      ...docs('getMemberManifest', 'Das gespeicherte Manifest des eigenen Mitglieds', 'Returns the manifest as stored (last known good); header X-Dachportal-Member-Status tells ok, stale or failed. The ETag names this manifest: send it as If-Match with the next PUT or import, so an edit made meanwhile by someone else is not overwritten (412).'),
      response: { ...authProblems, 503: problem },
    },
  }, async (request, reply) => {
    const member = memberOf(request)
    const state = await store.getMember(member.id)
    if (!state?.manifest) throw new errors.NOT_FOUND(`Für das Mitglied ${member.id} ist kein Manifest gespeichert.`)
    reply.header('cache-control', 'no-store').header('x-dachportal-member-status', state.status)
      .header('etag', manifestEtag(manifestFingerprint(state.manifest)))
    return state.manifest
  })

  app.post('/members/:id/refresh', {
    schema: {
      ...docs('refreshMemberManifest', 'Entferntes Manifest jetzt abrufen', 'Only for members whose region config points at an https manifest URL; one instance fetches at a time (others answer busy). A failed fetch keeps the last good manifest live.'),
      response: { 200: { $ref: 'RefreshOutcome#' }, ...authProblems, 409: problem, 503: problem },
    },
  }, async (request) => {
    const member = memberOf(request)
    if (!isRefreshed(member)) throw new errors.MANIFEST_NOT_REMOTE(member.id)
    return refresher.refreshNow(member.id)
  })

  const insights = options.insights && { store, ...options.insights }
  if (insights) {
    app.withTypeProvider<TypeBoxTypeProvider>().get('/members/:id/insights', {
      schema: {
        ...docs('getMemberInsights', 'Pilot-Einblicke für das eigene Mitglied', 'Aggregated per-day counters for your member: searches and zero-result searches of your residents (query texts only with at least INSIGHTS_MIN_COUNT uses on one day), /go redirects and proxy requests per service, feedback on your offerings including broken-link reports. JSON, or CSV with Accept: text/csv.'),
        querystring: InsightsQuery,
        response: { 200: { $ref: 'InsightsReport#' }, ...authProblems, 400: problem, 503: problem },
      },
    }, async (request, reply) => {
      const member = memberOf(request)
      return sendReport(request, reply, await readInsights(insights, request.query, member.id))
    })
  }
}

/** dropped items listed in a refused import's 422 */
const MAX_DROPPED_LINES = 20

/** issues arrive bounded from the validator (at most 50 and an "and N more" entry); total counts all */
function invalid(issues: Issue[], total = issues.length): Error {
  return withIssues(new errors.MANIFEST_INVALID(total), issues)
}

/** JSON bodies only (XML on the import route); anything else is 415 before a byte is parsed. */
function registerJsonOnly(app: FastifyInstance, bodyLimit: number, importLimit: number): void {
  app.removeAllContentTypeParsers()
  // XML is streamed to the import handler, never buffered; a declared length
  // over the limit is 413 before a byte is read, the reader counts the real bytes.
  app.addContentTypeParser(XML_TYPE, (request, payload, done) => {
    if (request.routeOptions.url?.endsWith(IMPORT_ROUTE) !== true) return done(new errors.MEDIA_TYPE(), undefined)
    const declared = Number(request.headers['content-length'])
    if (Number.isFinite(declared) && declared > importLimit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined)
    done(null, payload)
  })
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    // POST .../refresh sent with a JSON content type and no body
    if ((body as Buffer).length === 0) return done(null, undefined)
    let text: string
    try {
      // a string parser would turn Latin-1 umlauts into U+FFFD and store them; the decoder also drops a BOM
      text = UTF8.decode(body as Buffer)
    } catch {
      return done(invalid([{ path: '', message: 'not valid UTF-8: send the manifest encoded as UTF-8 (JSON is always UTF-8)' }]), undefined)
    }
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      const message = `not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`
      done(invalid([{ path: '', message }]), undefined)
    }
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new errors.MEDIA_TYPE(), undefined))
}

export const adminRoutes = readsCatalog(admin, 'dachportal-admin-routes', ['live', 'store', 'refresher'])

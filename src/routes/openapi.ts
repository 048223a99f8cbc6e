// Finishing touches on the generated OpenAPI document that route schemas
// cannot express without changing runtime behaviour: the manifest request
// body (a body schema would let Fastify's Ajv coerce the manifest before our
// validator sees it) and the problem+json media type of error responses
// (their serialisation is the problem handler's, not the route's), and what
// app-wide hooks add to every route: conditional GET, rate limits, load
// shedding. Also the proxy, whose routes @fastify/http-proxy registers
// without schemas. The manifest schema goes into components, so a saved copy
// of the document resolves every $ref by itself; operations without their
// own `security` are public (`security: []`).
import { RATE_LIMIT_EXEMPT, SHEDDING_EXEMPT } from '../ops/exempt-paths.js'
import { Manifest, ManifestV1, SLUG_PATTERN } from '../manifest/schema.js'

type Json = Record<string, unknown>

const MANIFEST_PATH = '/api/v1/admin/members/{id}/manifest'
const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
// A header is text on the wire: delay-seconds (RFC 9110), a whole number of seconds as digits.
const RETRY_AFTER = { 'Retry-After': { description: 'whole seconds to wait before trying again (delay-seconds, RFC 9110)', schema: { type: 'string', pattern: '^[0-9]+$', examples: ['30'] } } }

/** Routes answering with an ETag and 304 on If-None-Match (see http/cache.ts; a test keeps this list true). */
const CONDITIONAL_PATHS = new Set([
  '/api/v1/region', '/api/v1/members', '/api/v1/members/{id}', '/api/v1/life-situations', '/api/v1/life-situations/{id}',
  '/api/v1/services', '/api/v1/services/{id}', '/api/v1/responsibility', '/api/v1/search', '/api/v1/suggest',
  '/api/v1/online-services', '/api/v1/coverage',
])

const MANIFEST_REF = { $ref: '#/components/schemas/Manifest' }

/** a published JSON Schema as a component: its $id would change the base of $refs inside it */
function component(schema: object, description: string): Json {
  const { $id: canonical, ...rest } = JSON.parse(JSON.stringify(schema)) as Json
  return { ...rest, description: `${description} (published as ${String(canonical)})` }
}

/** The id sets fixed at start: members come from the region config, life situations from its taxonomy (neither changes while running). */
export interface KnownIds {
  members: readonly string[]
  lifeSituations: readonly string[]
}

// query parameters naming a member or a life situation; the handlers answer 400 to any other value (known-filters.ts)
const MEMBER_PARAMETERS = new Set(['member', 'residentMember', 'provider', 'serves'])

function withEnum(parameter: Json, ids: KnownIds): void {
  if (parameter.in !== 'query') return
  const name = String(parameter.name)
  const [values, discovery] = MEMBER_PARAMETERS.has(name) ? [ids.members, 'GET /api/v1/members']
    : name === 'lifeSituation' ? [ids.lifeSituations, 'GET /api/v1/life-situations'] : [undefined, '']
  if (!values || values.length === 0) return
  parameter.schema = { ...(parameter.schema as Json), enum: [...values] }
  parameter.description = `${String(parameter.description ?? (parameter.schema as Json).description ?? '')} (fixed at start from the region config; also listed by ${discovery})`.trim()
}

export function finishOpenApi(doc: Json, ids?: KnownIds): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>
  const components = (doc.components ??= {}) as Json
  const schemas = (components.schemas ??= {}) as Json
  schemas.Manifest = component(Manifest, 'member manifest, schema version 2')
  schemas.ManifestV1 = component(ManifestV1, 'member manifest, schema version 1 (still accepted, converted to version 2 on load)')
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations)) {
      operation.security ??= []
      const responses = (operation.responses ??= {}) as Record<string, Json>
      for (const [status, response] of Object.entries(responses)) {
        const content = response.content as Record<string, { schema?: Json }> | undefined
        // only problem documents; /ready's 503 really is application/json
        if (Number(status) >= 400 && content?.['application/json']?.schema?.$ref === '#/components/schemas/Problem') {
          response.content = { 'application/problem+json': content['application/json'] }
        }
      }
      // defaults make a parameter optional, whatever the TypeBox object says
      for (const parameter of (operation.parameters ?? []) as Json[]) {
        if (parameter.in === 'query' && (parameter.schema as Json | undefined)?.default !== undefined) parameter.required = false
        if (ids && path.startsWith('/api/v1/')) withEnum(parameter, ids)
      }
      if (CONDITIONAL_PATHS.has(path)) conditional(operation, responses)
      if (!RATE_LIMIT_EXEMPT.has(path)) {
        responses['429'] ??= { description: 'Too many requests from this client (per-client budget); wait Retry-After seconds', headers: RETRY_AFTER, content: PROBLEM }
      }
      if (!SHEDDING_EXEMPT.has(path)) shedding(responses)
    }
  }
  Object.assign(paths, proxyPaths())
  const put = paths[MANIFEST_PATH]?.put
  if (put) {
    put.requestBody = {
      required: true,
      description: 'the member\'s service manifest (schema version 2; version 1 is still accepted); JSON Schema also at /schemas/manifest.json, example: members/gladbeck.json',
      content: { 'application/json': { schema: { oneOf: [MANIFEST_REF, { $ref: '#/components/schemas/ManifestV1' }] } } },
    }
  }
  // the import route streams its body (no body schema to derive this from)
  const xzufi = paths['/api/v1/admin/members/{id}/import']?.post
  if (xzufi) {
    const body = { schema: { type: 'string', description: 'an XZuFi 2.2.0 (or 2.1.0) document, UTF-8, no DOCTYPE' } }
    xzufi.requestBody = { required: true, content: { 'application/xml': body, 'text/xml': body, 'application/x-xzufi+xml': body } }
  }
  nonJsonAnswers(paths)
  const get = paths[MANIFEST_PATH]?.get
  const getResponses = get?.responses as Record<string, Json> | undefined
  if (getResponses && !getResponses['200']) {
    getResponses['200'] = {
      description: 'the stored manifest (last known good); X-Dachportal-Member-Status: ok, stale or failed',
      content: { 'application/json': { schema: MANIFEST_REF } },
    }
  }
  manifestEtags(paths)
  return doc
}

const MANIFEST_ETAG = { ETag: { description: 'names the stored manifest (strong); send it as If-Match with the next PUT or import', schema: { type: 'string', pattern: '^"[0-9a-f]{40}"$' } } }

/** The member's manifest: ETag on reads and accepted writes, 412 (with the current ETag) for a stale If-Match. */
function manifestEtags(paths: Record<string, Record<string, Json>>): void {
  const operations = [paths[MANIFEST_PATH]?.get, paths[MANIFEST_PATH]?.put, paths['/api/v1/admin/members/{id}/import']?.post]
  for (const operation of operations) {
    const responses = operation?.responses as Record<string, Json> | undefined
    if (!responses) continue
    responses['200'] = { ...responses['200'], headers: { ...(responses['200']?.headers as Json | undefined), ...MANIFEST_ETAG } }
    if (responses['412']) {
      responses['412'] = {
        ...responses['412'],
        description: 'If-Match does not name the stored manifest (someone changed it meanwhile, or none is stored): nothing stored; ETag names the current one',
        headers: MANIFEST_ETAG,
      }
    }
  }
}

/** Answers whose routes send a ready string (no response schema to serialise with): their media types, found by the contract fuzzer. */
function nonJsonAnswers(paths: Record<string, Record<string, Json>>): void {
  const go = (paths['/go/{member}/{service}']?.get?.responses as Record<string, Json> | undefined)?.['404']
  if (go) {
    go.description = 'no online service to send the resident to; a browser navigation (Accept: text/html) gets the portal\'s "not found" page'
    go.content = { ...(go.content as Json | undefined), 'text/html': { schema: { type: 'string' } } }
  }
  const metrics = paths['/metrics']?.get?.responses as Record<string, Json> | undefined
  if (metrics) {
    metrics['200'] = { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }
    metrics['401'] ??= { description: 'METRICS_TOKEN is set and the bearer token is missing or wrong', content: PROBLEM }
  }
  for (const path of ['/api/v1/admin/members/{id}/insights', '/api/v1/admin/insights']) {
    const content = ((paths[path]?.get?.responses as Record<string, Json> | undefined)?.['200'])?.content as Json | undefined
    if (content) content['text/csv'] = { schema: { type: 'string', description: 'one table: kind, day, member, service, key, count' } }
  }
  for (const path of ['/schemas/manifest.json', '/schemas/manifest-v1.json']) {
    const responses = paths[path]?.get?.responses as Record<string, Json> | undefined
    if (responses) {
      responses['200'] = {
        description: 'the JSON Schema document itself (not a manifest)',
        content: { 'application/schema+json': { schema: { type: 'object', required: ['$id'] } } },
      }
    }
  }
}

function conditional(operation: Json, responses: Record<string, Json>): void {
  const parameters = (operation.parameters ??= []) as Json[]
  parameters.push({
    in: 'header', name: 'If-None-Match', required: false, schema: { type: 'string' }, example: 'W/"v42"',
    description: 'ETag of a copy the client holds; unchanged -> 304 without a body',
  })
  const ok = responses['200']
  if (ok) {
    ok.headers = {
      ...(ok.headers as Json | undefined),
      ETag: { description: 'weak ETag derived from the catalog version (and member health where shown); the same for identity, br and gzip', schema: { type: 'string' } },
      'Cache-Control': { description: 'how long the answer may be reused', schema: { type: 'string' } },
    }
  }
  // no `content`: a 304 has no body
  responses['304'] = {
    description: 'Not modified: the copy named in If-None-Match is current; no body',
    headers: { ETag: { description: 'the current ETag', schema: { type: 'string' } } },
  }
}

const SHEDDING = 'or the gateway sheds load (event loop or memory pressure): problem+json with Retry-After'

/** Load shedding answers 503 on every route but /health and /metrics, next to any 503 the route has itself. */
function shedding(responses: Record<string, Json>): void {
  const own = responses['503']
  if (!own) {
    responses['503'] = { description: `The gateway sheds load (event loop or memory pressure); try again after Retry-After seconds`, headers: RETRY_AFTER, content: PROBLEM }
    return
  }
  own.description = `${String(own.description ?? '')}; ${SHEDDING}`
  own.headers = { ...(own.headers as Json | undefined), ...RETRY_AFTER }
  own.content = { ...PROBLEM, ...(own.content as Json | undefined) }
}

const PROXY_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']

function proxyPaths(): Record<string, Record<string, Json>> {
  const noUpstream = { description: 'no member with that id, or the member has no upstream', content: PROBLEM }
  const member = { in: 'path', name: 'member', required: true, schema: { type: 'string', pattern: SLUG_PATTERN }, example: 'gladbeck' }
  const camel = (method: string) => method[0]!.toUpperCase() + method.slice(1)
  const operation = (method: string): Json => ({
    tags: ['Proxy'],
    operationId: `proxy${camel(method)}`,
    security: [],
    summary: `${method.toUpperCase()} an den eigenen E-Government-Endpunkt des Mitglieds`,
    description: 'The path form, only for members marked `sameOriginTrusted` in the region config (they share the portal\'s origin and cookies); '
      + 'every other member answers 307 to its own origin `<member>.<PROXY_BASE_DOMAIN>` (where every path is proxied the same way, with host-only cookies), '
      + 'or 503 `proxy-no-origin` without PROXY_BASE_DOMAIN. '
      + 'Forwards to the `upstream` of the member in the region config; methods GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS. '
      + 'Request and response bodies stream through unchanged. The upstream sees only allow-listed request headers, only this member\'s cookies (names prefixed `<member>__`), '
      + 'no forwarding claims of the client, and X-Forwarded-For/-Proto/-Host and Forwarded set by the gateway from its configuration. Set-Cookie is scoped to `/cities/<member>/`, '
      + 'Location rewritten into the prefix (or kept when it points elsewhere), Basic realms prefixed with `<member>: ` (Digest passes only in '
      + 'a realm that already starts so; NTLM and Negotiate are dropped both ways), and headers '
      + 'that would act on the whole origin (HSTS, Clear-Site-Data, Service-Worker-Allowed, NEL, Report-To, Alt-Svc, ...) dropped. '
      + 'Not callable from the docs page: `{path}` stands for any number of segments, which the UI would encode as one (`%2F` answers 400).',
    parameters: [
      member,
      { in: 'path', name: 'path', required: true, schema: { type: 'string' }, example: 'formulare', description: 'the rest of the path (any number of segments), forwarded as sent, query string too' },
    ],
    responses: {
      default: { description: 'whatever the upstream answers' },
      307: { description: 'not sameOriginTrusted: the same request on the member\'s own origin', headers: { Location: { schema: { type: 'string' }, example: 'https://gladbeck.cities.serviceportal.emscher-lippe.de/formulare' } } },
      400: { description: 'a path that would leave the member prefix (dot segments, encoded slashes, backslashes) or a header with control characters', content: PROBLEM },
      404: noUpstream,
      405: { description: 'method not forwarded', headers: { Allow: { schema: { type: 'string' } } }, content: PROBLEM },
      413: { description: 'request body larger than the member\'s limit', content: PROBLEM },
      429: { description: 'proxy budget of this client used up', headers: RETRY_AFTER, content: PROBLEM },
      502: { description: 'the upstream failed or answered with two Location/Content-Location headers; includes `member` and `contact` (phone, e-mail, portal) of the city', content: PROBLEM },
      503: { description: 'circuit breaker open for this member, the gateway sheds load, or (proxy-no-origin) the member is not sameOriginTrusted and PROXY_BASE_DOMAIN is unset', headers: RETRY_AFTER, content: PROBLEM },
      504: { description: 'the upstream did not answer in time; includes the city\'s `contact`', content: PROBLEM },
    },
  })
  const bare = (method: string): Json => ({
    tags: ['Proxy'],
    operationId: `redirectToMemberPrefix${camel(method)}`,
    security: [],
    summary: 'Das bloße Mitgliedspräfix: Weiterleitung hinein',
    description: 'Answers 308 to `/cities/{member}/` (query string kept) for every method, so nothing is ever served with the scope `/cities/`; '
      + 'members not marked sameOriginTrusted answer 307 to their own origin (or 503) instead.',
    parameters: [member],
    responses: {
      307: { description: 'not sameOriginTrusted: redirect to the member\'s own origin', headers: { Location: { schema: { type: 'string' } } } },
      308: { description: 'redirect to /cities/{member}/', headers: { Location: { schema: { type: 'string' }, example: '/cities/gladbeck/' } } },
      404: noUpstream,
    },
  })
  return {
    '/cities/{member}': Object.fromEntries(PROXY_METHODS.map((m) => [m, bare(m)])),
    '/cities/{member}/{path}': Object.fromEntries(PROXY_METHODS.map((m) => [m, operation(m)])),
  }
}

// Finishing touches on the generated OpenAPI document that route schemas
// cannot express without changing runtime behaviour: the manifest request
// body (a body schema would let Fastify's Ajv coerce the manifest before our
// validator sees it) and the problem+json media type of error responses
// (their serialisation is the problem handler's, not the route's), and what
// app-wide hooks add to every route: conditional GET, rate limits, load
// shedding. Also the proxy, whose routes @fastify/http-proxy registers
// without schemas.
import { RATE_LIMIT_EXEMPT, SHEDDING_EXEMPT } from '../ops/exempt-paths.js'

type Json = Record<string, unknown>

const MANIFEST_PATH = '/api/v1/admin/members/{id}/manifest'
const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
// A header is text on the wire: delay-seconds (RFC 9110), a whole number of seconds as digits.
const RETRY_AFTER = { 'Retry-After': { description: 'whole seconds to wait before trying again (delay-seconds, RFC 9110)', schema: { type: 'string', pattern: '^[0-9]+$', examples: ['30'] } } }

/** Routes answering with an ETag and 304 on If-None-Match (see http-cache.ts; a test keeps this list true). */
export const CONDITIONAL_PATHS = new Set([
  '/api/v1/region', '/api/v1/members', '/api/v1/members/{id}', '/api/v1/life-situations', '/api/v1/life-situations/{id}',
  '/api/v1/services', '/api/v1/services/{id}', '/api/v1/responsibility', '/api/v1/search', '/api/v1/suggest',
  '/api/v1/online-services', '/api/v1/coverage',
])

export function finishOpenApi(doc: Json): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations)) {
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
      description: 'the member\'s service manifest; JSON Schema at /schemas/manifest.json, example: members/gladbeck.json',
      content: { 'application/json': { schema: { $ref: '/schemas/manifest.json' } } },
    }
  }
  const get = paths[MANIFEST_PATH]?.get
  const getResponses = get?.responses as Record<string, Json> | undefined
  if (getResponses && !getResponses['200']) {
    getResponses['200'] = {
      description: 'the stored manifest (last known good); X-Dachportal-Member-Status: ok, stale or failed',
      content: { 'application/json': { schema: { $ref: '/schemas/manifest.json' } } },
    }
  }
  return doc
}

function conditional(operation: Json, responses: Record<string, Json>): void {
  const parameters = (operation.parameters ??= []) as Json[]
  parameters.push({
    in: 'header', name: 'If-None-Match', required: false, schema: { type: 'string' }, example: '"v42"',
    description: 'ETag of a copy the client holds; unchanged -> 304 without a body',
  })
  const ok = responses['200']
  if (ok) {
    ok.headers = {
      ...(ok.headers as Json | undefined),
      ETag: { description: 'derived from the catalog version (and member health where shown)', schema: { type: 'string' } },
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
  const member = { in: 'path', name: 'member', required: true, schema: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' }, example: 'gladbeck' }
  const operation = (method: string): Json => ({
    tags: ['Proxy'],
    summary: `${method.toUpperCase()} to the member's own e-government endpoint`,
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
  const bare: Json = {
    tags: ['Proxy'],
    summary: 'The bare member prefix: redirect into it',
    description: 'Answers 308 to `/cities/{member}/` (query string kept) for every method, so nothing is ever served with the scope `/cities/`; '
      + 'members not marked sameOriginTrusted answer 307 to their own origin (or 503) instead.',
    parameters: [member],
    responses: {
      307: { description: 'not sameOriginTrusted: redirect to the member\'s own origin', headers: { Location: { schema: { type: 'string' } } } },
      308: { description: 'redirect to /cities/{member}/', headers: { Location: { schema: { type: 'string' }, example: '/cities/gladbeck/' } } },
      404: noUpstream,
    },
  }
  return {
    '/cities/{member}': Object.fromEntries(PROXY_METHODS.map((m) => [m, bare])),
    '/cities/{member}/{path}': Object.fromEntries(PROXY_METHODS.map((m) => [m, operation(m)])),
  }
}

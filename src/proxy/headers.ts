// Header hygiene in both directions. The request side is an allow-list: the
// upstream gets only the client headers named in REQUEST_HEADERS, plus the
// forwarding headers the gateway sets itself from its configuration (never
// from the client's Host or its own forwarding claims). The response side
// strips what would act on the whole origin.

import type { IncomingHttpHeaders } from 'node:http'
import { memberCookies } from './cookies.js'
import { forwardableAuthorization } from './authenticate.js'

/** How a client header reaches the upstream: as it is, or through a filter. */
export type RequestHeaderRule = 'pass' | 'cookie' | 'authorization'

/**
 * Every client request header the upstream may see. Anything else (hop-by-hop
 * headers, Host, X-Forwarded-*, Forwarded, Via, X-Real-IP, True-Client-IP,
 * method and URL overrides such as X-HTTP-Method-Override or X-Original-URL,
 * Max-Forwards, Expect, unknown X- headers) is dropped.
 */
export const REQUEST_HEADERS: ReadonlyMap<string, RequestHeaderRule> = new Map<string, RequestHeaderRule>([
  // content negotiation
  ['accept', 'pass'], ['accept-encoding', 'pass'], ['accept-language', 'pass'], ['accept-charset', 'pass'],
  // conditional and range requests, caching
  ['if-match', 'pass'], ['if-none-match', 'pass'], ['if-modified-since', 'pass'], ['if-unmodified-since', 'pass'],
  ['if-range', 'pass'], ['range', 'pass'], ['cache-control', 'pass'], ['pragma', 'pass'],
  // the body (Transfer-Encoding is re-framed by the gateway)
  ['content-type', 'pass'], ['content-length', 'pass'], ['content-encoding', 'pass'], ['content-language', 'pass'],
  // credentials: only the member's own cookies; no connection-bound auth schemes
  ['authorization', 'authorization'], ['cookie', 'cookie'],
  // browser context the member's CSRF and CORS checks rely on
  ['origin', 'pass'], ['referer', 'pass'], ['user-agent', 'pass'], ['dnt', 'pass'], ['upgrade-insecure-requests', 'pass'],
  ['sec-fetch-dest', 'pass'], ['sec-fetch-mode', 'pass'], ['sec-fetch-site', 'pass'], ['sec-fetch-user', 'pass'],
  ['access-control-request-method', 'pass'], ['access-control-request-headers', 'pass'],
  ['x-requested-with', 'pass'], ['x-csrf-token', 'pass'], ['x-xsrf-token', 'pass'],
  // W3C trace context (the gateway may later set its own span here)
  ['traceparent', 'pass'], ['tracestate', 'pass'],
])

/**
 * Upstream headers never passed to the client: hop-by-hop ones, and ones that
 * would act on the whole gateway origin (every member's pages and cookies).
 */
const RESPONSE_DROP = [
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'trailer', 'upgrade', 'te',
  'transfer-encoding', 'alt-svc', 'clear-site-data', 'service-worker-allowed',
  'strict-transport-security', 'public-key-pins', 'public-key-pins-report-only',
  // reporting and client-hint policies are origin-wide too
  'nel', 'report-to', 'reporting-endpoints', 'accept-ch', 'critical-ch', 'origin-agent-cluster',
] as const

export interface ForwardInfo {
  upstreamHost: string
  /** the member's cookie names start with this ('' = all cookies of the origin) */
  cookiePrefix: string
  clientIp: string
  /** public scheme, from configuration or the connection (never a client header unless TRUST_PROXY) */
  proto: string
  /** public host from configuration; undefined = no X-Forwarded-Host */
  host: string | undefined
  requestId: string
}

/** The headers sent upstream, built fresh from the client's (already parsed) headers. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, info: ForwardInfo): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name in headers) {
    const rule = REQUEST_HEADERS.get(name)
    const value = headers[name]
    if (rule === undefined || value === undefined) continue
    if (rule === 'pass') {
      out[name] = value
    } else if (rule === 'cookie') {
      const cookie = memberCookies(value as string, info.cookiePrefix)
      if (cookie !== undefined) out.cookie = cookie
    } else if (forwardableAuthorization(value as string)) {
      out.authorization = value
    }
  }
  out.host = info.upstreamHost
  out['x-forwarded-for'] = info.clientIp
  out['x-forwarded-proto'] = info.proto
  if (info.host !== undefined) out['x-forwarded-host'] = info.host
  out.forwarded = forwardedValue(info)
  out['x-request-id'] = info.requestId
  return out
}

/** RFC 7239 `Forwarded`, the same facts as the X-Forwarded-* headers. */
function forwardedValue(info: ForwardInfo): string {
  const ip = info.clientIp.includes(':') ? `"[${info.clientIp}]"` : info.clientIp
  const host = info.host === undefined ? '' : `;host="${info.host}"`
  return `for=${ip || 'unknown'}${host};proto=${info.proto}`
}

/** Removes hop-by-hop and origin-wide response headers, in place. */
export function stripResponseHeaders(headers: Record<string, unknown>): void {
  const listed = headers.connection
  if (typeof listed === 'string') {
    for (const token of listed.split(',')) {
      const name = token.trim().toLowerCase()
      if (name !== '' && name !== 'set-cookie' && name !== 'location') delete headers[name]
    }
  }
  for (const name of RESPONSE_DROP) {
    if (headers[name] !== undefined) delete headers[name]
  }
}

// Field values: HTAB, visible ASCII, obs-text. CR, LF, NUL and other controls are not.
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** Name of the first header with an invalid value, or null. rawHeaders is [name, value, ...]. */
export function invalidHeader(rawHeaders: string[]): string | null {
  for (let i = 1; i < rawHeaders.length; i += 2) {
    if (INVALID_VALUE.test(rawHeaders[i] ?? '')) return rawHeaders[i - 1] ?? ''
  }
  return null
}

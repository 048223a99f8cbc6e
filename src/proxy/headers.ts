// Header hygiene in both directions. The request side builds a fresh header
// object from an allow-by-default copy minus a fixed deny set, so nothing the
// client says about forwarding, and no other member's cookie, reaches the
// upstream. The response side strips what would act on the whole shared origin.

import type { IncomingHttpHeaders } from 'node:http'
import { memberCookies } from './cookies.js'
import { forwardableAuthorization } from './authenticate.js'

/** Client headers never forwarded (hop-by-hop, forwarding claims, re-set by us). */
const REQUEST_DROP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings', 'host', 'expect',
  'forwarded', 'x-real-ip', 'x-client-ip', 'x-request-id', 'cookie',
  // IIS/Symfony honour these over the request line: a way around the path guard
  'x-original-url', 'x-rewrite-url',
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
  cookiePrefix: string
  clientIp: string
  proto: string
  host: string
  requestId: string
}

/** The headers sent upstream, built fresh from the client's (already parsed) headers. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, info: ForwardInfo): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name in headers) {
    if (REQUEST_DROP.has(name) || name.startsWith('x-forwarded-')) continue
    const value = headers[name]
    if (value !== undefined) out[name] = value
  }
  out.host = info.upstreamHost
  const authorization = headers.authorization
  if (authorization !== undefined && !forwardableAuthorization(authorization)) delete out.authorization
  const cookie = memberCookies(headers.cookie, info.cookiePrefix)
  if (cookie !== undefined) out.cookie = cookie
  out['x-forwarded-for'] = info.clientIp
  out['x-forwarded-proto'] = info.proto
  out['x-forwarded-host'] = info.host
  out['x-request-id'] = info.requestId
  return out
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

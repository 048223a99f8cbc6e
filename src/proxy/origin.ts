// Member origins. The browser's same-origin policy is the only isolation
// between scripts, so each member is proxied on its own origin
// `<member>.<PROXY_BASE_DOMAIN>`. Routing by Host happens before Fastify's
// router (its rewriteUrl option): a request on a member host is rewritten to
// `/cities/<member>/<path>` and marked, so it can only ever reach that member's
// proxy scope: never the API, the pages, the docs or another member.

import type { IncomingMessage } from 'node:http'
import { isSlug } from '../manifest/schema.js'
import { originFormTarget, requestAuthority } from '../http/host.js'

export interface ProxyOrigins {
  /** members are proxied on `<member>.<baseDomain>`; unset = path form only */
  baseDomain?: string
  /** public scheme of the member origins */
  scheme: 'https' | 'http'
  /** public port of the member origins; unset = the scheme's default */
  port?: number
  /** the gateway's own public origin (forwarded headers of the path form) */
  publicOrigin?: string
}

const MEMBER_HOST = Symbol('dachportal.memberHost')
// Not a member id (ids are slugs): routes to the proxy's 404.
const UNKNOWN = '-'

type Marked = { [MEMBER_HOST]?: string }

/** The label in front of `.<baseDomain>` in a Host header (port ignored), or null. */
function memberLabelOfHost(host: string | undefined, baseDomain: string): string | null {
  if (host === undefined || host === '' || host[0] === '[') return null
  let name = host.toLowerCase()
  const colon = name.lastIndexOf(':')
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return null
    name = name.slice(0, colon)
  }
  if (name.endsWith('.')) name = name.slice(0, -1)
  const suffix = `.${baseDomain}`
  if (!name.endsWith(suffix) || name.length === suffix.length) return null
  return name.slice(0, -suffix.length)
}

/**
 * Fastify's rewriteUrl: requests on `<member>.<baseDomain>` go to that
 * member's proxy scope, everything else is left as it is.
 */
export function memberHostRouter(baseDomain: string): (req: IncomingMessage) => string {
  return (req) => {
    const url = req.url ?? '/'
    // an absolute-form target's authority wins over Host (RFC 9112 §3.2.2)
    const label = memberLabelOfHost(requestAuthority(req), baseDomain)
    const path = originFormTarget(url)
    if (label === null) return path ?? url
    const id = isSlug(label) ? label : UNKNOWN
    ;(req as Marked)[MEMBER_HOST] = id
    // `*` and other targets: a path the guard refuses (never another route)
    return path !== undefined ? `/cities/${id}${path}` : `/cities/${id}/%00`
  }
}

/** The member whose own origin this request came in on, or undefined (path form). */
export function memberHostOf(req: object): string | undefined {
  return (req as Marked)[MEMBER_HOST]
}

/** `https://<member>.<baseDomain>[:port]`; only from config, never from a request. */
export function memberOrigin(origins: ProxyOrigins, memberId: string): string | undefined {
  if (origins.baseDomain === undefined) return undefined
  return `${origins.scheme}://${memberHostName(origins, memberId)}`
}

/** `<member>.<baseDomain>[:port]`, the Host residents use (and X-Forwarded-Host). */
export function memberHostName(origins: ProxyOrigins, memberId: string): string {
  const defaultPort = origins.scheme === 'https' ? 443 : 80
  const port = origins.port === undefined || origins.port === defaultPort ? '' : `:${origins.port}`
  return `${memberId}.${origins.baseDomain ?? ''}${port}`
}

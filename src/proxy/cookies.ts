// Upstream cookies, per proxy mode (the scope says which):
// - path form (sameOriginTrusted members on the portal's origin): renamed
//   `<member>__<name>` and scoped to `/cities/<member>/`; on the way up a member
//   only receives its own cookies, un-namespaced. Member ids are slugs, so the
//   `__` separator can never be ambiguous. Browsers do not separate cookies by
//   path for scripts, so this is hygiene, not isolation (see README).
// - member origin over https: renamed `__Host-<name>` with Secure, Path=/ and no
//   Domain, and only `__Host-` cookies go up, prefix removed. Browsers refuse a
//   `__Host-` cookie that names a Domain, even from document.cookie, so a
//   sibling member's script cannot toss a cookie this member then receives.
// - member origin over http (development, tests): host-only (Domain dropped).
// Domain attributes are always dropped: a cookie is never shared beyond the
// origin that set it.

export interface CookieScope {
  /** `<member>__`, `__Host-` or '' */
  namePrefix: string
  /** `/cities/<member>` (no trailing slash), '' on a member origin */
  pathPrefix: string
  /** the upstream's base path, always ending in '/' */
  basePath: string
  /** `__Host-` rules: Secure, Path=/ */
  hostPrefix?: boolean
}

export const HOST_PREFIX = '__Host-'

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** The member's own cookies from a Cookie header, names un-namespaced. */
export function memberCookies(header: string | undefined, namePrefix: string): string | undefined {
  if (header === undefined || !header.includes(namePrefix)) return undefined
  let out = ''
  for (const part of header.split(';')) {
    const pair = part.trim()
    if (!pair.startsWith(namePrefix) || pair.length === namePrefix.length || pair[namePrefix.length] === '=') continue
    out = out === '' ? pair.slice(namePrefix.length) : `${out}; ${pair.slice(namePrefix.length)}`
  }
  return out === '' ? undefined : out
}

/** Rewrites one Set-Cookie value; null drops a malformed cookie. */
function rewriteSetCookie(value: string, scope: CookieScope): string | null {
  const parts = value.split(';')
  const first = parts[0] ?? ''
  const eq = first.indexOf('=')
  if (eq <= 0) return null
  const name = first.slice(0, eq).trim()
  if (!TOKEN.test(name)) return null
  let out = `${scope.namePrefix}${name}=${first.slice(eq + 1).trim()}`
  let sawPath = false
  let sawSecure = false
  for (let i = 1; i < parts.length; i++) {
    const attr = (parts[i] ?? '').trim()
    if (attr === '') continue
    const aeq = attr.indexOf('=')
    const key = (aeq === -1 ? attr : attr.slice(0, aeq)).trim().toLowerCase()
    if (key === 'domain') continue
    if (key === 'secure') sawSecure = true
    if (key === 'path' && scope.hostPrefix === true) continue
    if (key === 'path') {
      sawPath = true
      out += `; Path=${mapCookiePath(aeq === -1 ? '' : attr.slice(aeq + 1).trim(), scope)}`
      continue
    }
    out += `; ${attr}`
  }
  if (!sawPath) out += `; Path=${scope.pathPrefix}/`
  if (scope.hostPrefix === true && !sawSecure) out += '; Secure'
  return out
}

/** Upstream cookie path -> the same path under the member prefix, never outside it. */
function mapCookiePath(path: string, scope: CookieScope): string {
  const root = `${scope.pathPrefix}/`
  if (path[0] !== '/' || path.includes('..') || path.includes('\\') || path.includes('%')) return root
  if (scope.basePath === '/') return scope.pathPrefix + path
  if (path.startsWith(scope.basePath)) return root + path.slice(scope.basePath.length)
  return root
}

/** Rewrites the Set-Cookie header(s) of an upstream response; always an array. */
export function rewriteSetCookies(header: string | string[], scope: CookieScope): string[] {
  const values = typeof header === 'string' ? [header] : header
  const out: string[] = []
  for (const v of values) {
    const rewritten = rewriteSetCookie(v, scope)
    if (rewritten !== null) out.push(rewritten)
  }
  return out
}

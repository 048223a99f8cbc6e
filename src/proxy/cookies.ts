// Cookie isolation between members on one origin. Upstream cookies are
// renamed `<member>__<name>` and scoped to `/cities/<member>/`; on the way up a
// member only ever receives its own cookies, un-namespaced. Member ids are
// slugs ([a-z0-9-]), so the `__` separator can never be ambiguous.

export interface CookieScope {
  /** `<member>__` */
  namePrefix: string
  /** `/cities/<member>` (no trailing slash) */
  pathPrefix: string
  /** the upstream's base path, always ending in '/' */
  basePath: string
}

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
export function rewriteSetCookie(value: string, scope: CookieScope): string | null {
  const parts = value.split(';')
  const first = parts[0] ?? ''
  const eq = first.indexOf('=')
  if (eq <= 0) return null
  const name = first.slice(0, eq).trim()
  if (!TOKEN.test(name)) return null
  let out = `${scope.namePrefix}${name}=${first.slice(eq + 1).trim()}`
  let sawPath = false
  for (let i = 1; i < parts.length; i++) {
    const attr = (parts[i] ?? '').trim()
    if (attr === '') continue
    const aeq = attr.indexOf('=')
    const key = (aeq === -1 ? attr : attr.slice(0, aeq)).trim().toLowerCase()
    if (key === 'domain') continue
    if (key === 'path') {
      sawPath = true
      out += `; Path=${mapCookiePath(aeq === -1 ? '' : attr.slice(aeq + 1).trim(), scope)}`
      continue
    }
    out += `; ${attr}`
  }
  if (!sawPath) out += `; Path=${scope.pathPrefix}/`
  return out
}

/** Upstream cookie path -> the same path under the member prefix, never outside it. */
export function mapCookiePath(path: string, scope: CookieScope): string {
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

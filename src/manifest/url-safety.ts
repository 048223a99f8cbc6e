// URL rules for manifest links and /go redirects: https only, no credentials,
// host must be one the region config allows for that member. Pure.
import { checkHttpsUrl } from '../net/https-url.js'

// RFC 3986 characters only, as the manifest schema's `uri` format demands. A
// WHATWG parser reads `https://host\@evil.com` as host `host`, the schema
// refuses it: checked here so an import drops just that item (it had failed
// the whole manifest) and a link means one thing to every parser.
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/

/**
 * Returns a plain-words problem, or undefined when the URL is acceptable.
 * `allowedHosts` undefined = host not checked (member unknown to the region).
 */
export function checkUrl(raw: string, allowedHosts: readonly string[] | undefined): string | undefined {
  if (!URI_CHARS.test(raw)) return 'contains characters outside RFC 3986 (e.g. a backslash or a space)'
  const checked = checkHttpsUrl(raw)
  if (!checked.ok) {
    if (checked.problem === 'not-a-url') return 'is not a valid absolute URL'
    if (checked.problem === 'not-https') return `must use https: (got ${checked.url.protocol.replace(/:$/, '') || 'none'})`
    return 'must not contain a user name or password'
  }
  const url = checked.url
  if (allowedHosts !== undefined && !isAllowedHost(url, allowedHosts)) {
    return `host "${url.host}" is not one of the member's allowed hosts (${allowedHosts.join(', ')})`
  }
  return undefined
}

/**
 * Exact host and port match, no wildcards. Links are https, so no port is
 * 443: an entry "host" and "host:443" allow the same links (a URL drops the
 * default port, so "host:443" used to allow none).
 */
export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase()
  const port = url.port === '' ? '443' : url.port
  return allowedHosts.some((allowed) => allowed === `${host}:${port}` || (port === '443' && allowed === host))
}

/** The one check /go uses before answering a redirect. */
export function isSafeRedirect(raw: string, allowedHosts: readonly string[]): boolean {
  return checkUrl(raw, allowedHosts) === undefined
}

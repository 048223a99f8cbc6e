// The request's authority (RFC 9112 §3.2): exactly one Host field with a
// valid value, else 400; an absolute-form request target's authority wins
// over Host. Node keeps only the first of two Host fields in `headers`, so
// duplicates are counted in `rawHeaders`.
import type { IncomingMessage } from 'node:http'

// uri-host [ ":" port ]: IP-literal, or reg-name / IPv4 (unreserved, sub-delims, pct-encoded); may be empty
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d{0,5})?$/

/** Why this request's Host is unacceptable, or undefined. */
export function hostProblem(req: Pick<IncomingMessage, 'rawHeaders'>): 'duplicate' | 'invalid' | undefined {
  let seen = 0
  let value = ''
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.length === 4 && req.rawHeaders[i]?.toLowerCase() === 'host') {
      seen++
      value = req.rawHeaders[i + 1] ?? ''
    }
  }
  if (seen > 1) return 'duplicate'
  if (seen === 1 && !HOST_VALUE.test(value)) return 'invalid'
  return undefined
}

/** The authority of an absolute-form target (`http://host/…`), lower case, else undefined. */
function absoluteFormAuthority(target: string): string | undefined {
  const match = /^https?:\/\/([^/?#]*)/i.exec(target)
  return match?.[1]
}

/** The authority the request is for: the absolute-form target's, else the Host header's. */
export function requestAuthority(req: Pick<IncomingMessage, 'url' | 'headers'>): string | undefined {
  return absoluteFormAuthority(req.url ?? '') ?? req.headers.host
}

/** The origin-form path of a request target (absolute-form reduced to its path), or undefined for `*` and the like. */
export function originFormTarget(target: string): string | undefined {
  if (target[0] === '/') return target
  const match = /^https?:\/\/[^/?#]*(.*)$/is.exec(target)
  if (match === null) return undefined
  const rest = match[1] ?? ''
  return rest[0] === '/' ? rest : `/${rest}`
}

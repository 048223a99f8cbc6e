// Browsers cache Basic and Digest credentials per origin and realm. All members
// share the gateway's origin, so one member could challenge with another's
// realm and receive that member's residents' passwords. So, per scheme:
// - Basic: the realm is prefixed with the member id (added when missing).
// - Digest: the realm is part of the hash the browser computes, so it cannot
//   be rewritten; a Digest challenge passes only when the member already uses
//   a realm starting with `<member id>: `, otherwise it is dropped.
// - NTLM, Negotiate, Kerberos: dropped (and their Authorization headers never
//   forwarded): browsers answer them with ambient credentials for the whole
//   origin, and they authenticate a TCP connection, which the gateway's pool
//   shares between residents.
// - Bearer and other schemes browsers do not answer themselves: unchanged.

interface Challenge {
  scheme: string
  /** token68 form (`Negotiate abc==`), kept verbatim */
  token68?: string
  /** auth-params as sent: `raw` is the value's source text (quoted or not) */
  params: { name: string; raw: string }[]
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y
const QUOTED = /"(?:[^"\\]|\\.)*"/y
const SPACE = /[ \t]*/y
// `name = value`, where value does not start with '=' (that would be token68 padding)
const PARAM_AHEAD = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=[ \t]*[^=, \t]/y

/** Parses one WWW-Authenticate field value; null when it is not valid RFC 9110 syntax. */
export function parseChallenges(value: string): Challenge[] | null {
  const out: Challenge[] = []
  let i = 0
  const match = (re: RegExp): string | null => {
    re.lastIndex = i
    const m = re.exec(value)
    if (m) i = re.lastIndex
    return m ? m[0] : null
  }
  const ahead = (re: RegExp): boolean => {
    re.lastIndex = i
    return re.test(value)
  }
  const atEnd = () => i >= value.length || value[i] === ','
  const skipList = () => {
    while (i < value.length && /[ \t,]/.test(value[i]!)) i++
  }
  skipList()
  while (i < value.length) {
    const scheme = match(TOKEN)
    if (scheme === null) return null
    const challenge: Challenge = { scheme, params: [] }
    out.push(challenge)
    if (match(SPACE) === '' && !atEnd()) return null
    if (!atEnd() && !ahead(PARAM_AHEAD)) {
      const t68 = match(TOKEN68)
      match(SPACE)
      if (t68 === null || !atEnd()) return null
      challenge.token68 = t68
      skipList()
      continue
    }
    // auth-params until an element that is not `name=value` (the next challenge)
    for (;;) {
      skipList()
      if (!ahead(PARAM_AHEAD)) break
      const name = match(TOKEN)!
      match(SPACE)
      i++ // '='
      match(SPACE)
      const raw = match(QUOTED) ?? match(TOKEN)
      if (raw === null) return null
      challenge.params.push({ name, raw })
      match(SPACE)
      if (!atEnd()) return null
    }
  }
  return out
}

const unquote = (raw: string) => (raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw)
const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`

function serialise(c: Challenge): string {
  if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`
  if (c.params.length === 0) return c.scheme
  return `${c.scheme} ${c.params.map((p) => `${p.name}=${p.raw}`).join(', ')}`
}

const CONNECTION_SCHEMES = new Set(['ntlm', 'negotiate', 'kerberos'])

/** Whether a request's Authorization header may go upstream (not connection-bound auth). */
export function forwardableAuthorization(value: string): boolean {
  const scheme = value.trimStart().split(/[ \t]/, 1)[0]!.toLowerCase()
  return !CONNECTION_SCHEMES.has(scheme)
}

/**
 * The member-scoped WWW-Authenticate values, or undefined to drop the header
 * (nothing left: better no prompt than a prompt in a shared realm).
 */
export function scopeChallenges(value: string | string[], memberId: string): string[] | undefined {
  const out: string[] = []
  const own = `${memberId}: `
  for (const field of Array.isArray(value) ? value : [value]) {
    for (const c of parseChallenges(field) ?? []) {
      const scheme = c.scheme.toLowerCase()
      if (CONNECTION_SCHEMES.has(scheme)) continue
      if (scheme === 'basic' || scheme === 'digest') {
        if (c.token68 !== undefined) continue // no realm to scope
        const realms = c.params.filter((p) => p.name.toLowerCase() === 'realm')
        const realm = realms.length === 1 ? unquote(realms[0]!.raw) : undefined
        if (scheme === 'digest') {
          if (realm === undefined || !realm.startsWith(own)) continue
        } else {
          // a second realm would be a second chance
          c.params = [{ name: 'realm', raw: quote(own + (realm ?? '')) }, ...c.params.filter((p) => p.name.toLowerCase() !== 'realm')]
        }
      }
      out.push(serialise(c))
    }
  }
  return out.length > 0 ? out : undefined
}

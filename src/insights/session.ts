// /einblicke sessions. The cookie carries a random session id and a MAC over
// it whose key comes from SESSION_SECRET alone: never from configuration
// anyone can read (token hashes sit in region.json, in git, in the
// ConfigMap). The session itself is a record in the store (scope, expiry,
// a fingerprint of the scope's token hash at login), so a logout or a token
// change ends it on every instance, and a new SESSION_SECRET ends every
// cookie. The token itself is never in the cookie nor in the store.
//
// CSRF: a signed double-submit token. The login page sets a random nonce in
// an HttpOnly cookie and puts HMAC(SESSION_SECRET, nonce) into the forms; a
// post counts only when the field is the MAC of the cookie it came with. A
// page elsewhere can neither read the cookie nor make the MAC. (A sibling
// origin that can plant cookies could fetch a pair from us; the Origin and
// Sec-Fetch-Site checks in page.ts stop that one.)
import crypto from 'node:crypto'
import type { SessionStore } from '../store/types.js'

export const SESSION_COOKIE = 'einblicke'
export const CSRF_COOKIE = 'einblicke-csrf'
const SESSION_PATH = '/einblicke'
const SESSION_SECONDS = 8 * 3600

const mac = (key: Buffer, payload: string) => crypto.createHmac('sha256', key).update(payload).digest('base64url')

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && crypto.timingSafeEqual(left, right)
}

export interface Sessions {
  /** records a new session for the scope; resolves to the cookie value */
  issue(scope: string, tokenSha256: string): Promise<string>
  /** the scope of a valid session: right MAC, in the store, unexpired, and the scope's token unchanged */
  check(cookie: string | undefined, tokenSha256For: (scope: string) => string | undefined): Promise<string | undefined>
  /** ends the session for every instance (a cookie with a wrong MAC is ignored) */
  revoke(cookie: string | undefined): Promise<void>
  /** the form field for a CSRF nonce */
  csrfToken(nonce: string): Promise<string>
  /** true when the field is the token of the nonce */
  csrfValid(nonce: string | undefined, token: unknown): Promise<boolean>
}

/**
 * `secret` resolves to SESSION_SECRET (or the one generated and shared
 * through the store); asked once, on first use, so a store that is not
 * reachable at start only delays it.
 */
export function createSessions(store: SessionStore, secret: () => Promise<string>, now: () => number = Date.now): Sessions {
  let keys: Promise<{ session: Buffer; csrf: Buffer; token: Buffer }> | undefined
  // one key per purpose, derived from the secret: a MAC for one is never valid for another
  const derive = () => keys ??= secret().then((value) => {
    const key = (purpose: string) => crypto.createHmac('sha256', value).update(`dachportal einblicke ${purpose}`).digest()
    return { session: key('session'), csrf: key('csrf'), token: key('token') }
  }).catch((error: unknown) => {
    keys = undefined
    throw error
  })
  /** the session id of a cookie whose MAC checks, else undefined */
  const idOf = async (cookie: string | undefined): Promise<string | undefined> => {
    if (cookie === undefined || cookie.length > 200) return undefined
    const [id = '', given = '', ...rest] = cookie.split('.')
    if (rest.length > 0 || !/^[A-Za-z0-9_-]{32}$/.test(id)) return undefined
    return sameText(given, mac((await derive()).session, id)) ? id : undefined
  }
  const fingerprint = async (tokenSha256: string) => mac((await derive()).token, tokenSha256)
  return {
    async issue(scope, tokenSha256) {
      const id = crypto.randomBytes(24).toString('base64url')
      await store.putSession(id, { scope, expiresAt: now() + SESSION_SECONDS * 1000, tokenFingerprint: await fingerprint(tokenSha256) })
      return `${id}.${mac((await derive()).session, id)}`
    },
    async check(cookie, tokenSha256For) {
      const id = await idOf(cookie)
      if (id === undefined) return undefined
      const session = await store.getSession(id)
      if (session === undefined || session.expiresAt <= now()) return undefined
      const current = tokenSha256For(session.scope)
      if (current === undefined || !sameText(session.tokenFingerprint, await fingerprint(current))) return undefined
      return session.scope
    },
    async revoke(cookie) {
      const id = await idOf(cookie)
      if (id !== undefined) await store.deleteSession(id)
    },
    async csrfToken(nonce) {
      return mac((await derive()).csrf, nonce)
    },
    async csrfValid(nonce, token) {
      if (nonce === undefined || !/^[A-Za-z0-9_-]{22}$/.test(nonce) || typeof token !== 'string') return false
      return sameText(token, mac((await derive()).csrf, nonce))
    },
  }
}

/** a fresh CSRF nonce for the cookie */
export const newCsrfNonce = (): string => crypto.randomBytes(16).toString('base64url')

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return undefined
}

/** Secure when the request came over https or in production; plain http only in development and tests */
export function sessionCookie(value: string, secure: boolean, maxAge = SESSION_SECONDS): string {
  return `${SESSION_COOKIE}=${value}; Path=${SESSION_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

/** the nonce lives as long as the browser session; scoped like the session cookie */
export function csrfCookie(nonce: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${nonce}; Path=${SESSION_PATH}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}

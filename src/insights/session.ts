// /einblicke sessions without server state: the cookie says who (a member id
// or "region") and until when, signed with HMAC keyed by that scope's
// configured token hash. Every instance can check it from the region config;
// changing a token ends its sessions. The token itself is never in the cookie.
import crypto from 'node:crypto'

export const SESSION_COOKIE = 'einblicke'
const SESSION_PATH = '/einblicke'
const SESSION_SECONDS = 8 * 3600

const sign = (keyHex: string, payload: string) => crypto.createHmac('sha256', Buffer.from(keyHex, 'hex')).update(payload).digest('base64url')

export function issueSession(scope: string, keyHex: string, now = Date.now()): string {
  const payload = `${scope}.${Math.floor(now / 1000) + SESSION_SECONDS}`
  return `${payload}.${sign(keyHex, payload)}`
}

/** the scope of a valid, unexpired session, else undefined */
export function checkSession(value: string | undefined, keyFor: (scope: string) => string | undefined, now = Date.now()): string | undefined {
  if (value === undefined || value.length > 200) return undefined
  const [scope = '', expires = '', mac = ''] = value.split('.')
  const key = keyFor(scope)
  if (key === undefined || !/^\d+$/.test(expires) || Number(expires) * 1000 <= now) return undefined
  const expected = Buffer.from(sign(key, `${scope}.${expires}`))
  const given = Buffer.from(mac)
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? scope : undefined
}

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

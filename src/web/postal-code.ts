// The resident's postal code: from the URL (?plz=45964) or, only if the
// resident asked for it ("merken"), a first-party cookie. No other state, no
// third parties. The cookie is HttpOnly and never reaches member upstreams
// (the proxy forwards only `<member>__` cookies).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Catalog } from '../catalog/types.js'
import { resolveResponsibility } from '../catalog/responsibility.js'

export const COOKIE_NAME = 'plz'
const COOKIE_MAX_AGE = 180 * 24 * 3600
const PLZ = /^[0-9]{5}$/

export interface Resident {
  /** the valid postal code in effect, if any */
  plz?: string
  /** what the resident typed when it was not a postal code */
  invalid?: string
  /** "Gladbeck", "Gelsenkirchen oder Herten", or undefined outside the region */
  place?: string
  inRegion: boolean
  /** the cookie holds the postal code */
  remembered: boolean
}

export interface PostalQuery {
  plz?: string
  merken?: string
  vergessen?: string
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** Works out the postal code in effect and updates the cookie when asked to. */
export function residentFor(request: FastifyRequest, reply: FastifyReply, query: PostalQuery, catalog: Catalog): Resident {
  const typed = query.plz?.trim()
  const fromCookie = readCookie(request.headers.cookie, COOKIE_NAME)
  const cookieValid = fromCookie !== undefined && PLZ.test(fromCookie)
  let plz: string | undefined
  let remembered = cookieValid
  if (query.vergessen !== undefined) {
    if (fromCookie !== undefined) reply.header('set-cookie', cookie(request, '', 0))
    remembered = false
  } else if (typed !== undefined && PLZ.test(typed)) {
    plz = typed
    if (query.merken !== undefined) {
      reply.header('set-cookie', cookie(request, plz, COOKIE_MAX_AGE))
      remembered = true
    }
  } else if (typed === undefined && cookieValid) {
    plz = fromCookie
  }
  const resident: Resident = { inRegion: false, remembered }
  if (typed !== undefined && typed !== '' && plz === undefined && query.vergessen === undefined) resident.invalid = typed.slice(0, 20)
  if (plz === undefined) return resident
  resident.plz = plz
  const responsibility = resolveResponsibility(catalog, { postalCode: plz })
  resident.inRegion = responsibility.inRegion
  if (responsibility.inRegion) {
    const names = responsibility.candidates.map((c) => c.chain[0]?.name).filter((n): n is string => n !== undefined)
    if (names.length > 0) resident.place = names.join(' oder ')
  }
  return resident
}

function cookie(request: FastifyRequest, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : ''
  return `${COOKIE_NAME}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`
}

// Resident journey: search for a service -> who is responsible for my postal
// code -> the /go deep link to the responsible member's online service, and
// what the resident needs to do it (offering.ts: requirements, steps, fees,
// whom to contact).
import { get, url, type Schemas } from './api.js'
import { offeringSheet, type OfferingSheet } from './offering.js'

export interface ResidentResult {
  service: { id: string; name: string }
  /** the responsible city first (Stadt -> Kreis -> Land -> Bund) */
  chain: string[]
  /** the offering to use, when one of the responsible members offers the service */
  forYou?: Schemas['Offering']
  /** absolute /go link (only for online offerings): put it in an <a href>, the gateway redirects (302) */
  goLink?: string
  /** the Leistungsbeschreibung and contacts of forYou, as far as its member states them */
  sheet?: OfferingSheet
}

export async function residentJourney(base: string, q: string, postalCode: string): Promise<ResidentResult> {
  const found = await get(base, '/api/v1/search', { q, postalCode, pageSize: 5 })
  const hit = found.hits[0]
  if (hit === undefined) throw new Error(`no service found for "${q}"`)

  const resp = await get(base, '/api/v1/responsibility', { postalCode, service: hit.service.id })
  const chain = (resp.candidates[0]?.chain ?? []).map((m) => m.id)
  const forYou = resp.service?.forYou
  // goUrl (relative to the gateway) is there only when the offering can be done online
  const goPath = forYou?.goUrl
  return {
    service: { id: hit.service.id, name: hit.service.name },
    chain,
    forYou,
    goLink: goPath === undefined ? undefined : url(base, goPath),
    sheet: forYou === undefined ? undefined : offeringSheet(forYou),
  }
}

/** Where a /go link leads (a browser just follows it; this is for scripts and tests). */
export async function goTarget(goLink: string): Promise<string | null> {
  const res = await fetch(goLink, { redirect: 'manual' })
  return res.status === 302 ? res.headers.get('location') : null
}

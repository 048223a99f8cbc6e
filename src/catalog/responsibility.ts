// Zuständigkeit: postal code or ARS -> the chain of members responsible for a
// resident (Stadt -> Kreis -> Land -> Bund), and for a service the offering
// the resident should use. Pure.
import type { Catalog, CatalogMember, Offering, RegionalService } from './types.js'

export interface ResponsibilityQuery {
  postalCode?: string
  ars?: string
  service?: string
}

export interface Responsibility {
  postalCode?: string
  ars?: string
  inRegion: boolean
  /** more than one when a postal code is shared by several member cities */
  ambiguous: boolean
  candidates: { chain: CatalogMember[] }[]
  service?: ServiceChoice
}

export interface ServiceChoice {
  id: string
  name: string
  /** the offering of the most local responsible member; absent if none of them offers it */
  forYou?: Offering
  /** every other offering: mostly other members' elsewhere, not responsible for the resident */
  alternatives: Offering[]
}

/** member -> parent -> ... (most local first); stops on unknown ids and cycles. */
function chainFor(catalog: Catalog, memberId: string): CatalogMember[] {
  const chain: CatalogMember[] = []
  const seen = new Set<string>()
  let current = catalog.memberById.get(memberId)
  while (current && !seen.has(current.id)) {
    chain.push(current)
    seen.add(current.id)
    current = current.parent === null ? undefined : catalog.memberById.get(current.parent)
  }
  return chain
}

/** Member ids responsible for a resident, most local first (union over candidates). */
export function responsibleChain(catalog: Catalog, by: { postalCode?: string; member?: string; area?: AreaKey }): string[] {
  let chains: CatalogMember[][]
  if (by.member !== undefined) chains = [chainFor(catalog, by.member)]
  else if (by.postalCode !== undefined) chains = chainsForPostalCode(catalog, by.postalCode).chains
  else if (by.area !== undefined) chains = chainsInArea(catalog, by.area)
  else return []
  return flattenChains(chains)
}

/**
 * Which offering is the resident's: the first offering of the most local
 * member of their chain (Stadt -> Kreis -> Land -> Bund) that offers the
 * service. The one rule for the API lists, search hits, Zuständigkeit and the
 * portal pages.
 */
export function residentOffering(offerings: readonly Offering[], chain: readonly string[]): Offering | undefined {
  for (const memberId of chain) {
    for (const o of offerings) if (o.member === memberId) return o
  }
  return undefined
}

export function pickOffering(service: RegionalService, chain: readonly string[]): Omit<ServiceChoice, 'id' | 'name'> {
  const forYou = residentOffering(service.offerings, chain)
  const alternatives = service.offerings.filter((o) => o !== forYou)
  return forYou ? { forYou, alternatives } : { alternatives }
}

export function resolveResponsibility(catalog: Catalog, query: ResponsibilityQuery): Responsibility {
  const { chains, inRegion } = query.postalCode !== undefined
    ? chainsForPostalCode(catalog, query.postalCode)
    : chainsForArs(catalog, query.ars ?? '')
  const result: Responsibility = {
    inRegion,
    ambiguous: chains.length > 1,
    candidates: chains.map((chain) => ({ chain })),
  }
  if (query.postalCode !== undefined) result.postalCode = query.postalCode
  else if (query.ars !== undefined) result.ars = query.ars
  if (query.service !== undefined) {
    const service = catalog.serviceById.get(query.service)
    if (service) {
      const ids = flattenChains(chains)
      result.service = { id: service.id, name: service.name, ...pickOffering(service, ids) }
    }
  }
  return result
}

/** Interleaves candidate chains by depth, so every candidate city comes before any Kreis. */
function flattenChains(chains: CatalogMember[][]): string[] {
  const ids: string[] = []
  const depth = Math.max(0, ...chains.map((c) => c.length))
  for (let i = 0; i < depth; i++) {
    for (const chain of chains) {
      const m = chain[i]
      if (m && !ids.includes(m.id)) ids.push(m.id)
    }
  }
  return ids
}

function chainsForPostalCode(catalog: Catalog, postalCode: string): { chains: CatalogMember[][]; inRegion: boolean } {
  const cities = catalog.membersByPostalCode.get(postalCode)
  if (cities && cities.length > 0) return { chains: cities.map((id) => chainFor(catalog, id)), inRegion: true }
  // Outside the region we cannot tell the Land from a postal code alone: the Bund still applies.
  return { chains: fallbackChains(catalog, undefined), inRegion: false }
}

function chainsForArs(catalog: Catalog, ars: string): { chains: CatalogMember[][]; inRegion: boolean } {
  const members = membersInArea(catalog, { ars })
  if (members.length > 0) return { chains: members.map((m) => chainFor(catalog, m.id)), inRegion: true }
  return { chains: fallbackChains(catalog, ars.slice(0, 2)), inRegion: false }
}

/** An area as FIT-Connect and PVOG name it: an ARS (2, 3, 5, 9 or 12 digits) or an AGS (2, 3, 5 or 8 digits). */
export type AreaKey = { ars: string } | { ags: string }

export const ARS_PATTERN = '^(?:[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{9}|[0-9]{12})$'
export const AGS_PATTERN = '^(?:[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{8})$'

/**
 * The members whose area lies in the given one, in region order: the one
 * parser of ARS and AGS. An ARS is Land (2) + Regierungsbezirk (1) + Kreis (2)
 * + Gemeindeverband (4) + Gemeinde (3), so 2, 3, 5, 9 and 12 digits are
 * prefixes of a member's ARS (9 digits: the Gemeindeverband, which for a
 * kreisangehörige Stadt is the city itself). An AGS is the ARS without the
 * Gemeindeverband: 2, 3 and 5 digits are the same prefixes, 8 digits name the
 * Gemeinde by Kreis and Gemeinde number. A municipality of a member Kreis that
 * is not itself a member belongs to the Kreis. A Land counts only for its own
 * 2-digit key. Outside the region: none (never a guessed key).
 */
export function membersInArea(catalog: Catalog, area: AreaKey): CatalogMember[] {
  const key = 'ars' in area ? area.ars : area.ags
  const kreisOf = (prefix5: string) => catalog.members.filter((m) => m.level === 'kreis' && m.ars.slice(0, 5) === prefix5)
  if ('ags' in area && key.length === 8) {
    const city = catalog.members.filter((m) => m.level === 'stadt' && m.ars.slice(0, 5) === key.slice(0, 5) && m.ars.slice(9) === key.slice(5))
    return city.length > 0 ? city : kreisOf(key.slice(0, 5))
  }
  const inside = catalog.members.filter((m) => m.ars.startsWith(key)
    && (m.level === 'stadt' || m.level === 'kreis' || (m.level === 'land' && key.length === 2)))
  if (inside.length > 0) return inside
  return key.length >= 5 ? kreisOf(key.slice(0, 5)) : []
}

/** Per member in the area, its chain to the Bund (most local first). */
export function chainsInArea(catalog: Catalog, area: AreaKey): CatalogMember[][] {
  return membersInArea(catalog, area).map((m) => chainFor(catalog, m.id))
}

/** Land (when the ARS names a member Land) and Bund: they apply to everyone. */
function fallbackChains(catalog: Catalog, landPrefix: string | undefined): CatalogMember[][] {
  const land = landPrefix === undefined ? undefined
    : catalog.members.find((m) => m.level === 'land' && m.ars.slice(0, 2) === landPrefix)
  if (land) return [chainFor(catalog, land.id)]
  const bund = catalog.members.find((m) => m.level === 'bund')
  return bund ? [[bund]] : []
}

/**
 * Every offering that serves the resident: each member of their chain that
 * offers the service (their city in person, the Kreis, the Land or the Bund
 * online), most local first. The first is the resident's own offering.
 */
export function servingOfferings(offerings: readonly Offering[], chain: readonly string[]): Offering[] {
  const out: Offering[] = []
  for (const memberId of chain) {
    for (const o of offerings) if (o.member === memberId) out.push(o)
  }
  return out
}

// The region's areas for /fit-connect/v1/areas: every Stadt, Kreis and Land
// member, with its ARS as id (Stadt 12, Kreis 5, Land 2 digits: the key that
// /routes resolves as that area) and FITKO's type names. The search takes
// FITKO's terms: a word of the name or a postal code, with "*" at either end
// as a wildcard; every term must match. Pure.
import type { Catalog, CatalogMember } from '../catalog/types.js'
import type { FitConnectArea } from './schemas.js'

export interface RegionArea extends FitConnectArea {
  member: CatalogMember
}

const ID_LENGTH = { stadt: 12, kreis: 5, land: 2 } as const

function typeOf(m: CatalogMember, catalog: Catalog): string {
  if (m.level === 'land') return 'Land'
  if (m.level === 'kreis') return 'Kreis'
  return catalog.memberById.get(m.parent ?? '')?.level === 'kreis' ? 'Kreisangehörige Stadt' : 'Kreisfreie Stadt'
}

export function regionAreas(catalog: Catalog): RegionArea[] {
  return catalog.members.flatMap((m) => (m.level === 'bund' ? [] : [{
    id: m.ars.slice(0, ID_LENGTH[m.level]),
    name: m.name,
    type: typeOf(m, catalog),
    member: m,
  }]))
}

const words = (text: string) => text.normalize('NFC').toLocaleLowerCase('de').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)

/** One term ("Gladbeck", "Glad*", "*beck", "4596*") as a test on one word. */
function termTest(term: string): (word: string) => boolean {
  const lead = term.startsWith('*')
  const trail = term.endsWith('*')
  const core = term.slice(lead ? 1 : 0, trail ? -1 : undefined).normalize('NFC').toLocaleLowerCase('de')
  if (lead && trail) return (w) => w.includes(core)
  if (trail) return (w) => w.startsWith(core)
  if (lead) return (w) => w.endsWith(core)
  return (w) => w === core
}

/** A term matches a word of the name, the whole name ("Castrop-Rauxel", "Haltern am See") or a postal code. */
function matches(area: RegionArea, term: string): boolean {
  const test = termTest(term)
  const name = area.name.normalize('NFC').toLocaleLowerCase('de')
  return [name, ...words(area.name), ...area.member.postalCodes].some(test)
}

export function searchAreas(areas: readonly RegionArea[], terms: readonly string[]): RegionArea[] {
  return areas.filter((a) => terms.every((term) => matches(a, term)))
}

// Coverage of the region: for each city and each catalog service, how a
// resident gets it. Catalog data only (public, nothing personal). Pure.
import type { Catalog, Offering } from '../catalog/types.js'
import { responsibleChain } from '../catalog/responsibility.js'
import { isRegionalService } from '../catalog/uncurated.js'

export type CellState = 'online' | 'in-person' | 'higher-level' | 'missing'

export interface CoverageCell {
  service: string
  state: CellState
  /** online: OZG maturity level and its text */
  maturity?: { model: string; level: number; text?: string }
  /** online via another member's shared service */
  provider?: string
  /** higher-level: the Kreis/Land/Bund member offering it for this city */
  by?: string
  /** not online here, but another member shares an online service for it */
  couldShare?: { provider: string; providerName: string; onlineService: string }[]
}

interface CoverageRow {
  member: string
  memberName: string
  counts: Record<CellState, number>
  cells: CoverageCell[]
}

export interface Coverage {
  version: number
  services: { id: string; name: string }[]
  members: CoverageRow[]
}

function isOnline(offering: Offering): boolean {
  return offering.onlineUrl !== undefined || offering.onlineService !== undefined
}

export function buildCoverage(catalog: Catalog): Coverage {
  // columns: regional services, curated or merged by LeiKa key (member-local ones are no column)
  const services = catalog.services.filter(isRegionalService).sort((a, b) => a.name.localeCompare(b.name, 'de'))
  const cities = catalog.members.filter((m) => m.level === 'stadt')
  // online services that are shared with other members, by the service they implement
  const shared = new Map<string, typeof catalog.onlineServices>()
  for (const entry of catalog.onlineServices) {
    if (entry.serves.length === 0) continue
    for (const id of entry.implements) shared.set(id, [...(shared.get(id) ?? []), entry])
  }
  const members = cities.map((member): CoverageRow => {
    const higher = responsibleChain(catalog, { member: member.id }).filter((id) => id !== member.id)
    const counts: Record<CellState, number> = { online: 0, 'in-person': 0, 'higher-level': 0, missing: 0 }
    const cells = services.map((service): CoverageCell => {
      // by member: a member's own service id need not be the regional id (an import names it after its Leistung)
      const offeredBy = new Map(service.offerings.map((o) => [o.member, o]))
      const own = offeredBy.get(member.id)
      let cell: CoverageCell
      if (own !== undefined && isOnline(own)) {
        cell = { service: service.id, state: 'online' }
        const maturity = own.onlineService?.maturity
        if (maturity) cell.maturity = { ...maturity, ...(own.onlineService?.maturityText ? { text: own.onlineService.maturityText } : {}) }
        if (own.onlineService?.shared) cell.provider = own.onlineService.provider
      } else if (own !== undefined) {
        cell = { service: service.id, state: 'in-person' }
      } else {
        const by = higher.find((id) => offeredBy.has(id))
        cell = by !== undefined ? { service: service.id, state: 'higher-level', by } : { service: service.id, state: 'missing' }
      }
      if (cell.state === 'in-person' || cell.state === 'missing') {
        // an online service implements a service key or a LeiKa key
        const implementing = [...(shared.get(service.id) ?? []), ...(service.leikaKey !== undefined ? shared.get(service.leikaKey) ?? [] : [])]
        const options = [...new Set(implementing)].filter((e) => e.provider !== member.id)
        if (options.length > 0) cell.couldShare = options.map((e) => ({ provider: e.provider, providerName: e.providerName, onlineService: e.id }))
      }
      counts[cell.state]++
      return cell
    })
    return { member: member.id, memberName: member.name, counts, cells }
  })
  return { version: catalog.version, services: services.map((s) => ({ id: s.id, name: s.name })), members }
}

export const STATE_LABELS: Record<CellState, string> = {
  online: 'online',
  'in-person': 'nur vor Ort',
  'higher-level': 'über Kreis, Land oder Bund',
  missing: 'fehlt',
}

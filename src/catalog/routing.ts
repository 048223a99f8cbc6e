// Routing (FIT-Connect and PVOG style): for a LeiKa key and an area, the
// offerings of the members responsible for it; an area outside the
// region has none (a sender must not be routed by a guess). Shared by /api/v1/routes and
// /fit-connect/v1/routes, so both answer the same members. Pure.
import { chainsInArea, resolveResponsibility, type AreaKey } from './responsibility.js'
import type { Catalog, CatalogMember, Offering, RegionalService } from './types.js'

/** Catalog services and member-local services that carry the LeiKa key. */
export function servicesByLeikaKey(catalog: Catalog, leikaKey: string): RegionalService[] {
  return catalog.services.filter((s) => s.leikaKey === leikaKey)
}

/** A regional service by its id, or by its LeiKa key when exactly one service carries it. */
export function serviceByIdOrLeikaKey(catalog: Catalog, idOrKey: string): RegionalService | undefined {
  const byId = catalog.serviceById.get(idOrKey)
  if (byId !== undefined || !/^99[0-9]{12}$/.test(idOrKey)) return byId
  const found = servicesByLeikaKey(catalog, idOrKey)
  return found.length === 1 ? found[0] : undefined
}

/** A postal code's cities' chains; none outside the region (the Bund fallback of Zuständigkeit is no route). */
function chainsForPostalCode(catalog: Catalog, postalCode: string): CatalogMember[][] {
  const r = resolveResponsibility(catalog, { postalCode })
  return r.inRegion ? r.candidates.map((c) => c.chain) : []
}

/**
 * Per candidate member of the area, the offering of the most local member of
 * its chain (Stadt -> Kreis -> Land -> Bund) that offers the service; each
 * offering once, in region order.
 */
export function responsibleOfferings(catalog: Catalog, leikaKey: string, area: AreaKey | { postalCode: string }): Offering[] {
  // a catalog service, or member-local services of several members that carry the same key
  const offerings = servicesByLeikaKey(catalog, leikaKey).flatMap((s) => s.offerings)
  if (offerings.length === 0) return []
  const chains: CatalogMember[][] = 'postalCode' in area ? chainsForPostalCode(catalog, area.postalCode) : chainsInArea(catalog, area)
  const out: Offering[] = []
  for (const chain of chains) {
    for (const m of chain) {
      const offering = offerings.find((o) => o.member === m.id)
      if (offering) { if (!out.includes(offering)) out.push(offering); break }
    }
  }
  return out
}

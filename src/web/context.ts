// What every page handler needs: the catalog version of this request, the
// breaker lookup, the resident, and the layout defaults.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'
import { residentOffering, responsibleChain } from '../catalog/responsibility.js'
import type { HealthLookup } from './offering-view.js'
import { residentFor, type PostalQuery, type Resident } from './postal-code.js'
import type { Layout } from './render.js'
import { pageUrl } from './urls.js'

export interface PageDeps {
  catalog: () => Catalog
  health: HealthLookup
  css: string
  js: string
  icon: string
}

export interface PageContext {
  catalog: Catalog
  health: HealthLookup
  resident: Resident
  /** member ids responsible for the resident, most local first */
  chain: string[]
  layout: Layout
}

export function pageContext(deps: PageDeps, request: FastifyRequest, reply: FastifyReply, query: PostalQuery): PageContext {
  // One catalog per request: a swap mid-request must not mix versions.
  const catalog = deps.catalog()
  const resident = residentFor(request, reply, query, catalog)
  const chain = resident.plz !== undefined ? responsibleChain(catalog, { postalCode: resident.plz }) : []
  const layout: Layout = {
    title: catalog.region.name,
    description: '',
    regionName: catalog.region.name,
    css: deps.css,
    js: deps.js,
    icon: deps.icon,
  }
  if (resident.plz !== undefined) layout.plz = resident.plz
  return { catalog, health: deps.health, resident, chain, layout }
}

/** The resident's offering of a service, if someone in their chain offers it. */
export function offeringFor(ctx: PageContext, service: RegionalService): Offering | undefined {
  return residentOffering(service.offerings, ctx.chain)
}

/** The resident's own city: the only member whose offering gets the "for you" mark (never the Kreis, Land or Bund). */
export function isResidentCity(ctx: PageContext, memberId: string): boolean {
  return ctx.resident.inRegion && ctx.catalog.memberById.get(memberId)?.level === 'stadt' && ctx.chain.includes(memberId)
}

/** "Zuständig: Kreis Recklinghausen": the member as a list entry (region.json names.label). */
export function memberLabel(ctx: PageContext, memberId: string, fallback: string): string {
  return ctx.catalog.memberById.get(memberId)?.names.label ?? fallback
}

/** "Ihr Angebot für Gladbeck" / "… für PLZ 12345". */
export function badgeFor(ctx: PageContext): string {
  return `Ihr Angebot für ${ctx.resident.place ?? `PLZ ${ctx.resident.plz ?? ''}`}`
}

/** Links back to the current page that drop the remembered postal code. */
function forgetUrl(path: string, query: Record<string, string | undefined>): string {
  return pageUrl(path, { ...query, plz: undefined, merken: undefined, vergessen: '1' })
}

export function title(ctx: PageContext, page: string): string {
  return `${page} – ${ctx.catalog.region.name}`
}

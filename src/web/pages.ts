// The navigation pages: start, Lebenslage, Leistung, Städte und Behörden.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { badgeFor, isResidentCity, memberLabel, offeringFor, pageContext, title, type PageContext, type PageDeps } from './context.js'
import { servingOfferings } from '../catalog/responsibility.js'
import type { RegionalService } from '../catalog/types.js'
import { serviceAnswer } from './service-answer.js'
import { serviceJsonLd } from './json-ld.js'
import { levelLabel, STATUS_LABEL } from './labels.js'
import { availabilityOf } from './offering-view.js'
import type { PostalQuery } from './postal-code.js'
import { sendPage } from './render.js'
import { sendNotFoundPage } from './not-found.js'
import { lifeSituationUrl, pageUrl, serviceUrl } from './urls.js'

type Req<Q, P = unknown> = FastifyRequest<{ Querystring: Q; Params: P }>

export function homePage(deps: PageDeps) {
  return async (request: Req<PostalQuery & { q?: string }>, reply: FastifyReply) => {
    const ctx = pageContext(deps, request, reply, request.query)
    const plz = ctx.resident.plz
    return sendPage(reply, 'home', {
      ...ctx.layout,
      nav: 'start',
      title: `${ctx.catalog.region.name} – Leistungen der Verwaltung finden`,
      description: `Leistungen von Städten, Kreis, Land NRW und Bund im ${ctx.catalog.region.name} finden – nach Lebenslage oder per Suche, passend zu Ihrer Postleitzahl.`,
      resident: ctx.resident,
      postalAction: '/',
      forgetUrl: '/?vergessen=1',
      // a Lebenslage without services (the import fallback before any import) is no way in
      lifeSituations: ctx.catalog.lifeSituations.filter((l) => l.serviceCount > 0).map((l) => ({
        label: l.label,
        description: l.description,
        serviceCount: l.serviceCount,
        url: lifeSituationUrl(l.id, plz),
      })),
    })
  }
}

export function lifeSituationPage(deps: PageDeps) {
  return async (request: Req<PostalQuery, { id: string }>, reply: FastifyReply) => {
    const ctx = pageContext(deps, request, reply, request.query)
    const entry = ctx.catalog.lifeSituationById.get(request.params.id)
    if (!entry) return sendNotFoundPage(request, reply, deps, 'Diese Lebenslage gibt es nicht (mehr).')
    const plz = ctx.resident.plz
    // Life-event order (birth before school) where the config gives one; the catalog is sorted by name.
    const order = new Map((entry.serviceOrder ?? []).map((id, i) => [id, i]))
    const rank = (id: string) => order.get(id) ?? order.size
    const inLifeSituation = ctx.catalog.services.filter((s) => s.lifeSituations.includes(entry.id))
    const services = inLifeSituation.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.id) - rank(b.s.id) || a.i - b.i).map(({ s }) => {
      const forYou = offeringFor(ctx, s)
      return {
        withdrawn: s.withdrawn ? withdrawnView(ctx, s.withdrawn) : undefined,
        name: s.name,
        summary: forYou?.summary ?? s.summary,
        url: serviceUrl(s.id, plz),
        badge: forYou && isResidentCity(ctx, forYou.member) ? badgeFor(ctx) : undefined,
        responsible: forYou && !isResidentCity(ctx, forYou.member) ? memberLabel(ctx, forYou.member, forYou.memberName) : undefined,
      }
    })
    return sendPage(reply, 'life-situation', {
      ...ctx.layout,
      title: title(ctx, entry.label),
      description: entry.description,
      lifeSituation: entry,
      services,
      resident: ctx.resident,
      homeUrl: pageUrl('/', { plz }),
      selfUrl: lifeSituationUrl(entry.id, plz),
      forgetUrl: pageUrl(`/lebenslagen/${encodeURIComponent(entry.id)}`, { vergessen: '1' }),
      postalPromptUrl: '/#plz',
    })
  }
}

export function servicePage(deps: PageDeps) {
  return async (request: Req<PostalQuery & { feedback?: string }, { id: string }>, reply: FastifyReply) => {
    const ctx = pageContext(deps, request, reply, request.query)
    const service = ctx.catalog.serviceById.get(request.params.id)
    if (!service) return sendNotFoundPage(request, reply, deps, 'Diese Leistung gibt es nicht (mehr).')
    const plz = ctx.resident.plz
    const forYou = offeringFor(ctx, service)
    const path = `/leistungen/${encodeURIComponent(service.id)}`
    const portal = ctx.catalog.region.portalUrl
    const firstLs = service.lifeSituations[0] !== undefined ? ctx.catalog.lifeSituationById.get(service.lifeSituations[0]) : undefined
    // Without a postal code only what serves everyone (the Bund) is an answer.
    const chain = plz !== undefined ? ctx.chain : ctx.catalog.members.filter((m) => m.level === 'bund').map((m) => m.id)
    const cities = new Set(ctx.resident.inRegion ? chain.filter((id) => ctx.catalog.memberById.get(id)?.level === 'stadt') : [])
    const answer = serviceAnswer(ctx.catalog, ctx.health, service, servingOfferings(service.offerings, chain), cities)
    const forYouName = forYou ? ctx.catalog.memberById.get(forYou.member)?.names.label ?? forYou.memberName : undefined
    return sendPage(reply, 'service', {
      ...ctx.layout,
      title: title(ctx, forYou && cities.has(forYou.member) ? `${service.name} in ${forYou.memberName}` : service.name),
      description: service.summary.slice(0, 300),
      jsonLd: serviceJsonLd(ctx.catalog, service, forYou, portal === undefined ? undefined : new URL(path, portal).href),
      service,
      resident: ctx.resident,
      regionName: ctx.catalog.region.name,
      badge: badgeFor(ctx),
      answer,
      withdrawn: service.withdrawn ? withdrawnView(ctx, service.withdrawn) : undefined,
      thanked: request.query.feedback === 'danke',
      forYouName,
      otherPlaces: otherPlaces(ctx, service.id, cities),
      outsidePortals: plz !== undefined && !ctx.resident.inRegion ? outsidePortals(ctx) : [],
      lifeSituations: service.lifeSituations.flatMap((id) => {
        const l = ctx.catalog.lifeSituationById.get(id)
        return l ? [{ label: l.label, url: lifeSituationUrl(id, plz) }] : []
      }),
      lifeSituation: firstLs ? { label: firstLs.label, url: lifeSituationUrl(firstLs.id, plz) } : undefined,
      homeUrl: pageUrl('/', { plz }),
      selfUrl: serviceUrl(service.id, plz),
      postalAction: path,
      forgetUrl: pageUrl(path, { vergessen: '1' }),
    })
  }
}

/** "Wird seit dem 1. Januar 2024 nicht mehr ausgestellt", with the services to use instead. */
function withdrawnView(ctx: PageContext, withdrawn: NonNullable<RegionalService['withdrawn']>): { since: string; instead: { name: string; url: string }[] } {
  const since = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(new Date(`${withdrawn.since}T12:00:00Z`))
  const instead = withdrawn.instead.flatMap((id) => {
    const s = ctx.catalog.serviceById.get(id)
    return s ? [{ name: s.name, url: serviceUrl(s.id, ctx.resident.plz) }] : []
  })
  return { since, instead }
}

/** One link per member city (its first postal code), the resident's own left out: the "anderer Ort" list. */
function otherPlaces(ctx: PageContext, serviceId: string, own: ReadonlySet<string>): { name: string; url: string }[] {
  return ctx.catalog.members
    .filter((m) => m.level === 'stadt' && m.postalCodes.length > 0 && !own.has(m.id))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'))
    .map((m) => ({ name: m.name, url: serviceUrl(serviceId, m.postalCodes[0]) }))
}

/** The Land's and the Bund's own portals, for a postal code outside the region. */
function outsidePortals(ctx: PageContext): { label: string; url: string }[] {
  return ctx.catalog.members.flatMap((m) => {
    const url = m.portalUrl ?? m.websiteUrl
    if ((m.level !== 'land' && m.level !== 'bund') || url === undefined) return []
    return [{ label: m.level === 'bund' ? 'Verwaltungsportal des Bundes' : `Verwaltungsportal ${m.names.label.replace(/^Land /, 'des Landes ')}`, url }]
  })
}

export function membersPage(deps: PageDeps) {
  return async (request: Req<PostalQuery>, reply: FastifyReply) => {
    const ctx = pageContext(deps, request, reply, request.query)
    const members = ctx.catalog.members.map((m) => {
      const availability = availabilityOf(m, ctx.health)
      const breakerOpen = ctx.health(m.id)?.state === 'open'
      const statusKind = breakerOpen ? 'failed' : m.status
      return {
        name: m.name,
        levelLabel: levelLabel(m.level),
        serviceCount: m.serviceCount,
        statusKind,
        statusLabel: breakerOpen ? 'Online-Dienste gestört' : STATUS_LABEL[m.status],
        statusDetail: m.meta.acceptedAt !== undefined ? `Angaben vom ${formatDate(m.meta.acceptedAt)}` : undefined,
        website: availability.contact.website,
        phone: availability.contact.phone,
        phoneHref: availability.contact.phoneHref,
      }
    })
    return sendPage(reply, 'members', {
      ...ctx.layout,
      nav: 'mitglieder',
      title: title(ctx, 'Städte und Behörden'),
      description: `Die Städte und Behörden im ${ctx.catalog.region.name}: Städte, Kreis, Land und Bund, mit dem Stand ihrer Angaben.`,
      members,
      builtAt: formatDate(ctx.catalog.builtAt),
    })
  }
}

function formatDate(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' }).format(date)
}

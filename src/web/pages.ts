// The navigation pages: start, Lebenslage, Leistung, Mitglieder.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { badgeFor, offeringFor, pageContext, title, type PageDeps } from './context.js'
import { serviceJsonLd } from './json-ld.js'
import { levelLabel, STATUS_LABEL } from './labels.js'
import { availabilityOf, offeringView } from './offering-view.js'
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
      lifeSituations: ctx.catalog.lifeSituations.map((l) => ({
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
    const services = ctx.catalog.services.filter((s) => s.lifeSituations.includes(entry.id)).map((s) => {
      const forYou = offeringFor(ctx, s)
      return {
        name: s.name,
        summary: forYou?.summary ?? s.summary,
        url: serviceUrl(s.id, plz),
        badge: forYou ? badgeFor(ctx) : undefined,
        responsible: forYou && forYou.memberName !== ctx.resident.place ? forYou.memberName : undefined,
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
  return async (request: Req<PostalQuery, { id: string }>, reply: FastifyReply) => {
    const ctx = pageContext(deps, request, reply, request.query)
    const service = ctx.catalog.serviceById.get(request.params.id)
    if (!service) return sendNotFoundPage(request, reply, deps, 'Diese Leistung gibt es nicht (mehr).')
    const plz = ctx.resident.plz
    const forYou = offeringFor(ctx, service)
    const path = `/leistungen/${encodeURIComponent(service.id)}`
    const portal = ctx.catalog.region.portalUrl
    const firstLs = service.lifeSituations[0] !== undefined ? ctx.catalog.lifeSituationById.get(service.lifeSituations[0]) : undefined
    return sendPage(reply, 'service', {
      ...ctx.layout,
      title: title(ctx, forYou ? `${service.name} in ${forYou.memberName}` : service.name),
      description: service.summary.slice(0, 300),
      jsonLd: serviceJsonLd(ctx.catalog, service, forYou, portal === undefined ? undefined : new URL(path, portal).href),
      service,
      summary: forYou?.summary ?? service.summary,
      synonyms: service.synonyms.slice(0, 8),
      resident: ctx.resident,
      badge: badgeFor(ctx),
      forYou: forYou ? offeringView(forYou, ctx.catalog, ctx.health) : undefined,
      others: service.offerings.filter((o) => o !== forYou).map((o) => offeringView(o, ctx.catalog, ctx.health)),
      lifeSituations: service.lifeSituations.flatMap((id) => {
        const l = ctx.catalog.lifeSituationById.get(id)
        return l ? [{ label: l.label, url: lifeSituationUrl(id, plz) }] : []
      }),
      lifeSituation: firstLs ? { label: firstLs.label, url: lifeSituationUrl(firstLs.id, plz) } : undefined,
      homeUrl: pageUrl('/', { plz }),
      selfUrl: serviceUrl(service.id, plz),
      postalAction: path,
      forgetUrl: pageUrl(path, { vergessen: '1' }),
      changePostalUrl: `${path}?plz=#plz`,
    })
  }
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
      title: title(ctx, 'Mitglieder und Status'),
      description: `Die Mitglieder des ${ctx.catalog.region.name}: Städte, Kreis, Land und Bund, mit dem Status ihrer Angaben.`,
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

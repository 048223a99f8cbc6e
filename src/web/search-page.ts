// /suche: results with facets as plain links, the resident's offering marked
// and linked via /go. Without JavaScript this is the whole search.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Catalog, Offering } from '../catalog/types.js'
import { LEVELS, type Level } from '../manifest/schema.js'
import type { FacetValue, SearchHit, SearchParams, SearchResult } from '../search/search.js'
import { badgeFor, isResidentCity, memberLabel, pageContext, title, type PageContext, type PageDeps } from './context.js'
import { levelLabel } from './labels.js'
import { offeringView, type OfferingView } from './offering-view.js'
import { sendPage } from './render.js'
import { pageUrl, phoneHref, serviceUrl } from './urls.js'
import type { Operator } from '../config/region-schema.js'
import { clientNetwork } from '../http/client-key.js'
import { didYouMean } from './did-you-mean.js'

/** `client`: the client network (clientNetwork), for the insights' distinct count */
export type SearchFn = (params: SearchParams, client: string) => SearchResult

const PAGE_SIZE = 10
const MAX_QUERY = 200
const MAX_PAGE = 100

interface SearchQuery {
  q?: string
  plz?: string
  merken?: string
  vergessen?: string
  lebenslage?: string
  ebene?: string
  anbieter?: string
  seite?: string
}

interface Filters {
  q: string
  lebenslage?: string
  ebene?: Level
  anbieter?: string
  seite: number
}

interface HitView {
  name: string
  url: string
  summary: string
  badge?: string
  responsible?: string
  offering?: OfferingView
  providers?: string
}

/** Someone a resident can ask when the search finds nothing. */
interface HumanWay {
  name: string
  /** whose line it is ("Bürgeramt der Stadt Gladbeck") */
  office?: string
  phone?: string
  phoneHref?: string
  email?: string
  website?: string
}

/** `operator`: the region config's operator block, the region's own contact when present. */
export function searchPage(deps: PageDeps, search: SearchFn, operator?: Operator) {
  return async function handler(request: FastifyRequest<{ Querystring: SearchQuery }>, reply: FastifyReply) {
    const query = request.query
    const ctx = pageContext(deps, request, reply, query)
    const filters = readFilters(ctx.catalog, query)
    const plz = ctx.resident.plz
    const link = (changes: Partial<Record<keyof Filters, string | number | undefined>>) =>
      pageUrl('/suche', { q: filters.q, plz, lebenslage: filters.lebenslage, ebene: filters.ebene, anbieter: filters.anbieter, ...changes })
    const base = {
      ...ctx.layout,
      nav: 'suche' as const,
      q: filters.q,
      resident: ctx.resident,
      forgetUrl: pageUrl('/suche', { q: filters.q, vergessen: '1' }),
      postalPromptUrl: pageUrl('/', { q: filters.q }) + '#plz',
      homeUrl: pageUrl('/', { plz }),
    }
    if (filters.q === '') {
      return sendPage(reply, 'search', { ...base, title: title(ctx, 'Suche'), description: 'Leistungen der Verwaltung im Verbund suchen.' })
    }
    const { result, hits, total } = runSearch(search, filters, plz, clientNetwork(request.ip))
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const corrected = didYouMean(ctx.catalog, filters.q)
    return sendPage(reply, 'search', {
      ...base,
      ...(total === 0 ? { help: humanWays(ctx, operator) } : {}),
      corrected: corrected === undefined ? undefined : { text: corrected, url: pageUrl('/suche', { q: corrected, plz }) },
      title: title(ctx, `Suche nach „${filters.q}“`),
      description: `${total} Leistungen zu „${filters.q}“ im ${ctx.catalog.region.name}.`,
      total,
      page: filters.seite,
      pages,
      firstNumber: (filters.seite - 1) * PAGE_SIZE + 1,
      hits: hits.map((h) => hitView(ctx, h, filters)),
      facetGroups: facetGroups(ctx.catalog, result, filters, link),
      activeFilters: activeFilters(ctx.catalog, filters, link),
      prevUrl: filters.seite > 1 ? link({ seite: filters.seite - 1 }) : undefined,
      nextUrl: filters.seite < pages ? link({ seite: filters.seite + 1 }) : undefined,
    })
  }
}

/**
 * Zero results: the resident's city (a phone only when its data sources it,
 * else its website) and the region's operator. No Behördennummer 115: no
 * source says the members take part.
 */
function humanWays(ctx: PageContext, operator: Operator | undefined): { cities: HumanWay[]; region?: HumanWay } {
  const cities: HumanWay[] = []
  if (ctx.resident.inRegion) {
    for (const id of ctx.chain) {
      const member = ctx.catalog.memberById.get(id)
      if (member?.level !== 'stadt') continue
      const way: HumanWay = { name: member.names.label }
      const contact = member.contact
      if (contact?.phone !== undefined && contact.source !== undefined) {
        way.phone = contact.phone
        way.phoneHref = phoneHref(contact.phone)
        if (contact.office !== undefined) way.office = contact.office
      }
      const website = member.websiteUrl ?? member.portalUrl
      if (way.phone === undefined && website !== undefined) way.website = website
      if (way.phone !== undefined || way.website !== undefined) cities.push(way)
    }
  }
  if (operator === undefined || (operator.phone === undefined && operator.email === undefined)) return { cities }
  const region: HumanWay = { name: ctx.catalog.region.name, office: operator.name }
  if (operator.phone !== undefined) {
    region.phone = operator.phone
    region.phoneHref = phoneHref(operator.phone)
  }
  if (operator.email !== undefined) region.email = operator.email
  return { cities, region }
}

function readFilters(catalog: Catalog, query: SearchQuery): Filters {
  const filters: Filters = { q: (query.q ?? '').trim().slice(0, MAX_QUERY), seite: 1 }
  if (query.lebenslage !== undefined && catalog.lifeSituationById.has(query.lebenslage)) filters.lebenslage = query.lebenslage
  if (query.ebene !== undefined && (LEVELS as readonly string[]).includes(query.ebene)) filters.ebene = query.ebene as Level
  if (query.anbieter !== undefined && catalog.memberById.has(query.anbieter)) filters.anbieter = query.anbieter
  const page = Number(query.seite)
  if (Number.isInteger(page) && page >= 1) filters.seite = Math.min(page, MAX_PAGE)
  return filters
}

function runSearch(search: SearchFn, filters: Filters, plz: string | undefined, client: string): { result: SearchResult; hits: SearchHit[]; total: number } {
  const params: SearchParams = { q: filters.q, page: filters.seite, pageSize: PAGE_SIZE }
  if (filters.lebenslage !== undefined) params.lifeSituation = filters.lebenslage
  if (filters.ebene !== undefined) params.level = filters.ebene
  // The provider facet filters inside the search: totals and later pages stay right at any scale.
  if (filters.anbieter !== undefined) params.member = filters.anbieter
  if (plz !== undefined) params.postalCode = plz
  const result = search(params, client)
  return { result, hits: result.hits, total: result.total }
}

function hitView(ctx: PageContext, hit: SearchHit, filters: Filters): HitView {
  const forYou: Offering | undefined = hit.service.forYou
  // The resident's own offering describes it in their city's words.
  const view: HitView = { name: hit.service.name, url: serviceUrl(hit.service.id, ctx.resident.plz), summary: forYou?.summary ?? hit.service.summary }
  if (forYou) {
    const names = ctx.catalog.memberById.get(forYou.member)?.names
    if (filters.anbieter !== undefined) view.badge = `Angebot ${names?.from ?? `von ${forYou.memberName}`}`
    else if (isResidentCity(ctx, forYou.member)) view.badge = badgeFor(ctx)
    else view.responsible = memberLabel(ctx, forYou.member, forYou.memberName)
    view.offering = offeringView(forYou, ctx.catalog, ctx.health)
  } else {
    const names = hit.service.offerings.slice(0, 3).map((o) => o.memberName)
    const more = hit.service.offeringCount - names.length
    view.providers = more > 0 ? `${names.join(', ')} und ${more} weitere` : names.join(', ')
  }
  return view
}

type Link = (changes: Partial<Record<keyof Filters, string | number | undefined>>) => string

function facetGroups(catalog: Catalog, result: SearchResult, filters: Filters, link: Link) {
  const group = (title: string, key: 'lebenslage' | 'ebene' | 'anbieter', values: FacetValue[], label: (v: string) => string) => ({
    title,
    // Folded unless in use: open lists pushed the first result below the
    // fold on a 375px screen; the summaries still name every filter.
    open: filters[key] !== undefined,
    values: values.map((v) => ({
      label: label(v.value),
      count: v.count,
      selected: filters[key] === v.value,
      url: link({ [key]: v.value, seite: undefined }),
    })),
  })
  return [
    group('Lebenslage', 'lebenslage', result.facets.lifeSituation, (v) => catalog.lifeSituationById.get(v)?.label ?? v),
    group('Verwaltung', 'ebene', result.facets.level, levelLabel),
    group('Stadt oder Behörde', 'anbieter', result.facets.member, (v) => catalog.memberById.get(v)?.name ?? v),
  ].filter((g) => g.values.length > 0)
}

function activeFilters(catalog: Catalog, filters: Filters, link: Link) {
  const out: { label: string; removeUrl: string }[] = []
  if (filters.lebenslage !== undefined) out.push({ label: catalog.lifeSituationById.get(filters.lebenslage)?.label ?? filters.lebenslage, removeUrl: link({ lebenslage: undefined, seite: undefined }) })
  if (filters.ebene !== undefined) out.push({ label: levelLabel(filters.ebene), removeUrl: link({ ebene: undefined, seite: undefined }) })
  if (filters.anbieter !== undefined) out.push({ label: catalog.memberById.get(filters.anbieter)?.name ?? filters.anbieter, removeUrl: link({ anbieter: undefined, seite: undefined }) })
  return out
}

// Navigation over the regional catalog: life situations and services.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors } from '../http/problem.js'
import type { Catalog, RegionalService } from '../catalog/types.js'
import { responsibleChain } from '../catalog/responsibility.js'
import { serviceByIdOrLeikaKey } from '../catalog/routing.js'
import { serviceView } from '../catalog/views.js'
import { Audience, Level } from '../manifest/schema.js'
import { Page, Paging, PostalCode, problemResponses, SERVICE_PAGE, ServiceId, Slug, ViewParam } from './schemas.js'
import { notModified, paginate } from '../http/cache.js'
import { sendView, serializeView } from './send-view.js'
import { ResponseCache } from '../search/response-cache.js'
import { checkKnownFilters } from './known-filters.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

interface ServiceQuery {
  lifeSituation?: string
  member?: string
  postalCode?: string
  level?: string
  audience?: string
}

/** Filters are pure; the resident's chain decides which offerings apply to them. */
function filterServices(catalog: Catalog, q: ServiceQuery): { services: RegionalService[]; chain?: string[] } {
  const chain = q.postalCode !== undefined ? responsibleChain(catalog, { postalCode: q.postalCode }) : undefined
  const services = catalog.services.filter((s) =>
    (q.lifeSituation === undefined || s.lifeSituations.includes(q.lifeSituation)) &&
    (q.level === undefined || s.levels.includes(q.level as RegionalService['levels'][number])) &&
    (q.audience === undefined || s.audiences.includes(q.audience as RegionalService['audiences'][number])) &&
    (q.member === undefined || s.offerings.some((o) => o.member === q.member)) &&
    (chain === undefined || s.offerings.some((o) => chain.includes(o.member))))
  return chain ? { services, chain } : { services }
}

/** The life situation with a page of its services, per view. */
const SITUATION_PAGE = {
  full: Type.Intersect([Type.Ref('LifeSituation'), Type.Object({ services: SERVICE_PAGE.full })]),
  compact: Type.Intersect([Type.Ref('LifeSituation'), Type.Object({ services: SERVICE_PAGE.compact })]),
}

const filters = {
  lifeSituation: Type.Optional({ ...Slug, description: 'Lebenslage, e.g. familie-kind', examples: ['familie-kind'] }),
  member: Type.Optional({ ...Slug, description: 'only services this member itself offers', examples: ['gladbeck'] }),
  postalCode: Type.Optional({ ...PostalCode, description: 'only services for residents of this postal code (Stadt, Kreis, Land, Bund); adds forYou' }),
  level: Type.Optional(Level),
  audience: Type.Optional(Audience),
}

export const LifeSituationPage = Page(Type.Ref('LifeSituation'), 'Lebenslagen of the taxonomy', 'LifeSituationPage')
export const LifeSituationDetail = Type.Intersect(
  [Type.Ref('LifeSituation'), Type.Object({ services: Type.Ref('ServicePage', { description: 'services in this life situation' }) })],
  { $id: 'LifeSituationDetail', description: 'one Lebenslage with a page of its services' },
)

/** Serialised service lists kept per catalog version (LRU): the answer depends on the query alone. */
const LIST_CACHE_ENTRIES = 500
/** Serialised single services per catalog version: every service with and without each postal code of the region fits (~7 KB each). */
const SERVICE_CACHE_ENTRIES = 2000

async function catalogRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const lists = new ResponseCache<Catalog, Buffer>(LIST_CACHE_ENTRIES)
  const singles = new ResponseCache<Catalog, Buffer>(SERVICE_CACHE_ENTRIES)
  app.get('/api/v1/life-situations', {
    schema: {
      tags: ['Navigation'],
      operationId: 'listLifeSituations',
      summary: 'Lebenslagen mit Anzahl der Leistungen',
      description: 'The taxonomy of life situations with service counts. Also the discovery endpoint for the values of the `lifeSituation` filter.',
      querystring: Type.Object({ ...Paging }),
      response: { 200: Type.Ref('LifeSituationPage'), ...problemResponses },
    },
  }, async (request, reply) => {
    const c = app.live.current
    if (notModified(request, reply, c.version)) return reply
    return paginate(c.lifeSituations, request.query.page, request.query.pageSize)
  })

  app.get('/api/v1/life-situations/:id', {
    schema: {
      tags: ['Navigation'],
      operationId: 'getLifeSituation',
      summary: 'Eine Lebenslage mit ihren Leistungen',
      params: Type.Object({ id: { ...Slug, examples: ['familie-kind'] } }),
      querystring: Type.Object({ postalCode: filters.postalCode, view: ViewParam, ...Paging }),
      response: {
        200: Type.Ref('LifeSituationDetail'),
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params
    const { postalCode, view, page, pageSize } = request.query
    const c = app.live.current
    const situation = c.lifeSituationById.get(id)
    if (!situation) throw new errors.LIFE_SITUATION_NOT_FOUND(id)
    if (notModified(request, reply, c.version)) return reply
    const { services, chain } = filterServices(c, { lifeSituation: id, ...(postalCode ? { postalCode } : {}) })
    const result = paginate(services, page, pageSize)
    return sendView(reply, SITUATION_PAGE[view], { ...situation, services: { ...result, items: result.items.map((s) => serviceView(s, chain, view)) } })
  })

  app.get('/api/v1/services', {
    schema: {
      tags: ['Navigation'],
      operationId: 'listServices',
      summary: 'Regionale Leistungen, gefiltert',
      description: 'All filters combine (AND). With `postalCode`, only services that a member responsible for that postal code offers (its Stadt, Kreis, Land or Bund), each with `forYou`: the offering to use. `view=compact` answers each service without its offerings (but `forYou`, in short): a page of 20 stays under 15 KB.',
      querystring: Type.Object({ ...filters, view: ViewParam, ...Paging }),
      response: { 200: Type.Ref('ServicePage'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { page, pageSize, view, ...query } = request.query
    const c = app.live.current
    checkKnownFilters(c, query)
    if (notModified(request, reply, c.version)) return reply
    const key = [page, pageSize, view, query.lifeSituation, query.member, query.postalCode, query.level, query.audience].join('\u0001')
    let body = lists.get(c, key)
    if (body === undefined) {
      const { services, chain } = filterServices(c, query)
      const result = paginate(services, page, pageSize)
      body = Buffer.from(serializeView(reply, SERVICE_PAGE[view], { ...result, items: result.items.map((s) => serviceView(s, chain, view)) }))
      lists.set(c, key, body)
    }
    return reply.type('application/json; charset=utf-8').send(body)
  })

  app.get('/api/v1/services/:id', {
    schema: {
      tags: ['Navigation'],
      operationId: 'getService',
      summary: 'Eine regionale Leistung mit allen Angeboten',
      params: Type.Object({ id: { ...ServiceId, description: 'service key, member:serviceId, or a LeiKa key (14 digits) that one service carries', examples: ['hund-anmelden', '99102013104000'] } }),
      querystring: Type.Object({ postalCode: Type.Optional({ ...PostalCode, description: 'adds forYou: the offering for a resident of this postal code' }) }),
      response: { 200: Type.Ref('RegionalService'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params
    const { postalCode } = request.query
    const c = app.live.current
    // a LeiKa key stands for the one service that carries it (PVOG looks services up so)
    const service = serviceByIdOrLeikaKey(c, id)
    if (!service) throw new errors.SERVICE_NOT_FOUND(id)
    if (notModified(request, reply, c.version)) return reply
    // the answer depends on the service and the postal code alone (aliases and LeiKa keys share the service's entry)
    const key = `${service.id}\u0001${postalCode ?? ''}`
    let body = singles.get(c, key)
    if (body === undefined) {
      body = Buffer.from(reply.serialize(serviceView(service, postalCode ? responsibleChain(c, { postalCode }) : undefined, 'full')) as string)
      singles.set(c, key, body)
    }
    return reply.type('application/json; charset=utf-8').send(body)
  })
}

export default readsCatalog(catalogRoutes, 'dachportal-catalog-routes')

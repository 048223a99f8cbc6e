// Navigation over the regional catalog: life situations and services.
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { errors } from '../http/problem.js'
import type { Catalog, RegionalService } from '../catalog/types.js'
import { pickOffering, responsibleChain } from '../catalog/responsibility.js'
import { Audience, Level } from '../manifest/schema.js'
import { Page, Paging, PostalCode, problemResponses, ServiceId, Slug } from './schemas.js'
import { notModified, paginate } from './http-cache.js'
import { checkKnownFilters } from './known-filters.js'
import { readsCatalog } from '../runtime/catalog-plugin.js'

interface ServiceQuery {
  lifeSituation?: string
  member?: string
  postalCode?: string
  level?: string
  audience?: string
  page: number
  pageSize: number
}

/** Filters are pure; the resident's chain decides which offerings apply to them. */
export function filterServices(catalog: Catalog, q: Omit<ServiceQuery, 'page' | 'pageSize'>): { services: RegionalService[]; chain?: string[] } {
  const chain = q.postalCode !== undefined ? responsibleChain(catalog, { postalCode: q.postalCode }) : undefined
  const services = catalog.services.filter((s) =>
    (q.lifeSituation === undefined || s.lifeSituations.includes(q.lifeSituation)) &&
    (q.level === undefined || s.levels.includes(q.level as RegionalService['levels'][number])) &&
    (q.audience === undefined || s.audiences.includes(q.audience as RegionalService['audiences'][number])) &&
    (q.member === undefined || s.offerings.some((o) => o.member === q.member)) &&
    (chain === undefined || s.offerings.some((o) => chain.includes(o.member))))
  return chain ? { services, chain } : { services }
}

function withForYou(service: RegionalService, chain: readonly string[] | undefined) {
  if (!chain) return service
  const { forYou } = pickOffering(service, chain)
  return forYou ? { ...service, forYou } : service
}

const filters = {
  lifeSituation: Type.Optional({ ...Slug, description: 'Lebenslage, e.g. familie-kind', examples: ['familie-kind'] }),
  member: Type.Optional({ ...Slug, description: 'only services this member itself offers', examples: ['gladbeck'] }),
  postalCode: Type.Optional({ ...PostalCode, description: 'only services for residents of this postal code (Stadt, Kreis, Land, Bund); adds forYou' }),
  level: Type.Optional(Level),
  audience: Type.Optional(Audience),
}

export const LifeSituationList = Type.Object({ items: Type.Array(Type.Ref('LifeSituation')), total: Type.Integer() }, { $id: 'LifeSituationList', description: 'all Lebenslagen of the taxonomy' })
export const ServicePage = Page(Type.Ref('RegionalService'), 'regional services', 'ServicePage')
export const LifeSituationDetail = Type.Intersect(
  [Type.Ref('LifeSituation'), Type.Object({ services: Type.Ref('ServicePage', { description: 'services in this life situation' }) })],
  { $id: 'LifeSituationDetail', description: 'one Lebenslage with its services' },
)

async function catalogRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/life-situations', {
    schema: {
      tags: ['Navigation'],
      operationId: 'listLifeSituations',
      summary: 'Lebenslagen mit Anzahl der Leistungen',
      description: 'The taxonomy of life situations with service counts. Also the discovery endpoint for the values of the `lifeSituation` filter.',
      response: { 200: Type.Ref('LifeSituationList') },
    },
  }, async (request, reply) => {
    const c = app.live.current
    if (notModified(request, reply, c.version)) return reply
    return { items: c.lifeSituations, total: c.lifeSituations.length }
  })

  app.get('/api/v1/life-situations/:id', {
    schema: {
      tags: ['Navigation'],
      operationId: 'getLifeSituation',
      summary: 'Eine Lebenslage mit ihren Leistungen',
      params: Type.Object({ id: { ...Slug, examples: ['familie-kind'] } }),
      querystring: Type.Object({ postalCode: filters.postalCode, ...Paging }),
      response: {
        200: Type.Ref('LifeSituationDetail'),
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { postalCode, page, pageSize } = request.query as ServiceQuery
    const c = app.live.current
    const situation = c.lifeSituationById.get(id)
    if (!situation) throw new errors.LIFE_SITUATION_NOT_FOUND(id)
    if (notModified(request, reply, c.version)) return reply
    const { services, chain } = filterServices(c, { lifeSituation: id, ...(postalCode ? { postalCode } : {}) })
    const result = paginate(services, page, pageSize)
    return { ...situation, services: { ...result, items: result.items.map((s) => withForYou(s, chain)) } }
  })

  app.get('/api/v1/services', {
    schema: {
      tags: ['Navigation'],
      operationId: 'listServices',
      summary: 'Regionale Leistungen, gefiltert',
      description: 'All filters combine (AND). With `postalCode`, only services that a member responsible for that postal code offers (its Stadt, Kreis, Land or Bund), each with `forYou`: the offering to use.',
      querystring: Type.Object({ ...filters, ...Paging }),
      response: { 200: Type.Ref('ServicePage'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { page, pageSize, ...query } = request.query as ServiceQuery
    const c = app.live.current
    checkKnownFilters(c, query)
    if (notModified(request, reply, c.version)) return reply
    const { services, chain } = filterServices(c, query)
    const result = paginate(services, page, pageSize)
    return { ...result, items: result.items.map((s) => withForYou(s, chain)) }
  })

  app.get('/api/v1/services/:id', {
    schema: {
      tags: ['Navigation'],
      operationId: 'getService',
      summary: 'Eine regionale Leistung mit allen Angeboten',
      params: Type.Object({ id: ServiceId }),
      querystring: Type.Object({ postalCode: Type.Optional(PostalCode) }),
      response: { 200: Type.Ref('RegionalService'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { postalCode } = request.query as { postalCode?: string }
    const c = app.live.current
    const service = c.serviceById.get(id)
    if (!service) throw new errors.SERVICE_NOT_FOUND(id)
    if (notModified(request, reply, c.version)) return reply
    return withForYou(service, postalCode ? responsibleChain(c, { postalCode }) : undefined)
  })
}

export default readsCatalog(catalogRoutes, 'dachportal-catalog-routes')

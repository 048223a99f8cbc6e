// Region and members: who takes part and in what state.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors } from '../http/problem.js'
import type { CatalogMember } from '../catalog/types.js'
import { Level } from '../manifest/schema.js'
import { MemberMetaSchema, Page, Paging, problemResponses, Slug } from './schemas.js'
import { notModified, paginate } from '../http/cache.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

export const RegionSchema = Type.Object({
  id: Type.String({ examples: ['emscher-lippe'] }),
  name: Type.String({ examples: ['Serviceportal Emscher-Lippe'] }),
  portalUrl: Type.Optional(Type.String()),
  version: Type.Integer({ description: 'catalog version' }),
  updatedAt: Type.String({ description: 'when this instance built the catalog' }),
  memberCount: Type.Integer({ examples: [15] }),
  serviceCount: Type.Integer(),
  offeringCount: Type.Integer(),
  staleMembers: Type.Array(Type.String()),
  failedMembers: Type.Array(Type.String()),
}, { $id: 'Region', description: 'the region, its catalog version and member states' })
export const MemberPage = Page(Type.Ref('Member'), 'members', 'MemberPage')
export const MemberDetail = Type.Intersect(
  [Type.Ref('Member'), Type.Object({ meta: MemberMetaSchema, contact: Type.Optional(Type.Object({ office: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()) })) })],
  { $id: 'MemberDetail', description: 'one member with its manifest meta and contact' },
)

async function regionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const withHealth = (m: CatalogMember) => {
    const proxy = app.memberHealth(m.id)
    return proxy ? { ...m, proxy } : m
  }
  const healthStamp = (members: readonly CatalogMember[]) =>
    members.map((m) => app.memberHealth(m.id)?.state ?? '').join('').replace(/closed/g, '')

  app.get('/api/v1/region', {
    schema: { tags: ['Region'], operationId: 'getRegion', summary: 'Region, Katalogversion und Zustand der Mitglieder', response: { 200: Type.Ref('Region') } },
  }, async (request, reply) => {
    const c = app.live.current
    if (notModified(request, reply, c.version)) return reply
    return {
      ...c.region,
      version: c.version,
      updatedAt: c.builtAt,
      memberCount: c.members.length,
      serviceCount: c.services.length,
      offeringCount: c.services.reduce((n, s) => n + s.offeringCount, 0),
      staleMembers: c.members.filter((m) => m.status === 'stale').map((m) => m.id),
      failedMembers: c.members.filter((m) => m.status === 'failed').map((m) => m.id),
    }
  })

  app.get('/api/v1/members', {
    schema: {
      tags: ['Region'],
      operationId: 'listMembers',
      summary: 'Verbundmitglieder (Städte, Kreis, Land, Bund) mit Status',
      description: 'Also the discovery endpoint for the values of the `member` and `residentMember` filters.',
      querystring: Type.Object({ level: Type.Optional(Level), ...Paging }),
      response: { 200: Type.Ref('MemberPage'), ...problemResponses },
    },
  }, async (request, reply) => {
    const c = app.live.current
    const { level, page, pageSize } = request.query
    if (notModified(request, reply, c.version, healthStamp(c.members))) return reply
    const members = level ? c.members.filter((m) => m.level === level) : c.members
    const result = paginate(members, page, pageSize)
    return { ...result, items: result.items.map(withHealth) }
  })

  app.get('/api/v1/members/:id', {
    schema: {
      tags: ['Region'],
      operationId: 'getMember',
      summary: 'Ein Mitglied mit den Metadaten seines Manifests (fetchedAt, etag, lastError)',
      params: Type.Object({ id: Slug }),
      response: {
        200: Type.Ref('MemberDetail'),
        ...problemResponses,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params
    const c = app.live.current
    const member = c.memberById.get(id)
    if (!member) throw new errors.MEMBER_NOT_FOUND(id)
    if (notModified(request, reply, c.version, healthStamp([member]))) return reply
    return withHealth(member)
  })
}

export default readsCatalog(regionRoutes, 'dachportal-region-routes', ['live', 'memberHealth'], ['dachportal-proxy'])

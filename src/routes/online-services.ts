// The region's online services: what was built once and who uses it.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Catalog } from '../catalog/types.js'
import type { OnlineServiceEntry } from '../catalog/online-services.js'
import { errors, withIssues, type Issue } from '../http/problem.js'
import { Page, Paging, problemResponses, ServiceId, Slug } from './schemas.js'
import { notModified, paginate } from '../http/cache.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

interface OnlineServiceQuery {
  provider?: string
  serves?: string
  shared?: boolean
  minMaturity?: number
  service?: string
}

/** Pure filter. `serves`: used by, or declared to serve, that member. `service`: a catalog key it implements or a user offers. */
function filterOnlineServices(catalog: Catalog, q: OnlineServiceQuery): OnlineServiceEntry[] {
  const servesMember = q.serves === undefined ? undefined : catalog.memberById.get(q.serves)
  const offeringsOf = q.service === undefined ? undefined : catalog.serviceById.get(q.service)?.offerings
  return catalog.onlineServices.filter((os) =>
    (q.provider === undefined || os.provider === q.provider) &&
    (q.shared === undefined || os.shared === q.shared) &&
    (q.minMaturity === undefined || (os.maturity !== undefined && os.maturity.level >= q.minMaturity)) &&
    (servesMember === undefined || os.users.some((u) => u.member === servesMember.id) ||
      os.serves.some((s) => s === servesMember.id || (/^[0-9]+$/.test(s) && servesMember.ars.startsWith(s)))) &&
    (q.service === undefined || os.implements.includes(q.service) ||
      (offeringsOf ?? []).some((o) => o.onlineService?.id === os.id)))
}

export const OnlineServicePage = Page(Type.Ref('OnlineService'), 'online services', 'OnlineServicePage')

async function onlineServiceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/api/v1/online-services', {
    schema: {
      tags: ['Navigation'],
      operationId: 'listOnlineServices',
      summary: 'Online-Dienste der Region: wer sie anbietet und wer sie nutzt',
      description: 'Each online service once. `users` are the members whose offerings link to it; a shared service is used by members other than its provider (both sides agree: the provider lists the user in `serves`). Filters combine (AND); `minMaturity` compares the level within the service\'s own maturity model.',
      querystring: Type.Object({
        provider: Type.Optional({ ...Slug, description: 'member that provides it', examples: ['nrw'] }),
        serves: Type.Optional({ ...Slug, description: 'member whose residents may use it', examples: ['gladbeck'] }),
        shared: Type.Optional(Type.Boolean({ description: 'true: used by members other than the provider' })),
        minMaturity: Type.Optional(Type.Integer({ minimum: 0, maximum: 7, description: 'lowest OZG maturity level' })),
        service: Type.Optional(ServiceId),
        ...Paging,
      }),
      response: { 200: Type.Ref('OnlineServicePage'), ...problemResponses },
    },
  }, async (request, reply) => {
    const { page, pageSize, ...query } = request.query
    const c = app.live.current
    const issues: Issue[] = []
    for (const key of ['provider', 'serves'] as const) {
      const id = query[key]
      if (id !== undefined && !c.memberById.has(id)) issues.push({ path: `/${key}`, in: 'querystring', message: `unbekanntes Mitglied: ${id}` })
    }
    if (query.service !== undefined && !c.serviceById.has(query.service)) issues.push({ path: '/service', in: 'querystring', message: `unbekannte Leistung: ${query.service}` })
    if (issues.length > 0) throw withIssues(new errors.BAD_QUERY(issues.map((i) => i.message).join('; ')), issues)
    if (notModified(request, reply, c.version)) return reply
    return paginate(filterOnlineServices(c, query), page, pageSize)
  })
}

export default readsCatalog(onlineServiceRoutes, 'dachportal-online-service-routes')

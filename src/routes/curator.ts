// The curator's view (issue 27): regional services merged by LeiKa key that
// config/services.json does not curate yet, most offered first, with the
// names members use, the Lebenslagen derived and where members disagree. The
// same list is printed by `npm run catalog:uncurated` (src/cli/uncurated.ts).
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { createLoginBrake, type FailedAuthLimiterOptions } from '../auth/failed-auth-limiter.js'
import { requireRegionToken } from '../insights/routes.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'
import { UncuratedServiceSchema } from '../catalog/schemas.js'

export const UncuratedList = Type.Object({
  version: Type.Integer({ description: 'catalog version the list was read from' }),
  total: Type.Integer({ description: 'uncurated services in the catalog' }),
  services: Type.Array(Type.Ref('UncuratedService'), { description: 'most offered first (add these to services.json first)' }),
}, { $id: 'UncuratedList', description: 'regionale Leistungen ohne Eintrag in services.json (Kuratierungsliste)' })

export const curatorSchemas = [UncuratedServiceSchema, UncuratedList]

const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200, description: 'at most this many services' })),
}, { additionalProperties: false })

export interface CuratorRoutesOptions {
  regionTokenSha256?: string
  loginBrake?: FailedAuthLimiterOptions
}

async function curatorRoutes(fastify: FastifyInstance, options: CuratorRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const brake = createLoginBrake(app.store, options.loginBrake)
  app.get('/api/v1/admin/catalog/uncurated', {
    schema: {
      tags: ['Member cities'],
      operationId: 'listUncuratedServices',
      summary: 'Regionale Leistungen ohne Katalogeintrag (Regions-Admin-Token)',
      description: 'Bearer token whose SHA-256 is REGION_ADMIN_TOKEN_SHA256. Services merged across members by their LeiKa key that config/services.json does not name (by key or LeiKa key): offering count, the names members use, the Lebenslagen derived and where members disagree. Most offered first: what a curator adds to services.json first.',
      security: [{ regionAdminToken: [] }],
      querystring: Query,
      response: { 200: { $ref: 'UncuratedList#' }, 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' } },
    },
  }, async (request, reply) => {
    await requireRegionToken(request, reply, brake, options.regionTokenSha256, 'curator list')
    const catalog = app.live.current
    reply.header('cache-control', 'no-store')
    return { version: catalog.version, total: catalog.uncurated.length, services: catalog.uncurated.slice(0, request.query.limit ?? 200) }
  })
}

export default readsCatalog(curatorRoutes, 'dachportal-curator-routes', ['live', 'store'])

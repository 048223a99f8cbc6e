// FIT-Connect-like routing for portal frontends: for a LeiKa key and an area
// (ARS, AGS or postal code), the responsible place to turn to, paged like the
// FIT-Connect Routing API ({count, offset, totalCount, routes}) but with our
// own, richer route. The FIT-Connect-compatible surface is src/fit-connect/.
// Resolved by catalog/routing.ts: per member in the area the deepest member on
// Stadt -> Kreis -> Land -> Bund that offers it. destinationId and
// destinationSignature only when the responsible member declares a FIT-Connect
// destination on the offering or its office (never a shared online service's).
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AGS_PATTERN, ARS_PATTERN } from '../catalog/responsibility.js'
import { responsibleOfferings } from '../catalog/routing.js'
import type { Offering } from '../catalog/types.js'
import { problemResponses } from './schemas.js'
import { errors } from '../http/problem.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

const Query = Type.Object({
  leikaKey: Type.String({ pattern: '^99[0-9]{12}$', description: 'LeiKa-Schlüssel (99 + 12 Ziffern)', examples: ['99102013104000'] }),
  ars: Type.Optional(Type.String({ pattern: ARS_PATTERN, description: 'Amtlicher Regionalschlüssel, 2, 3, 5, 9 (Gemeindeverband; a kreisangehörige Stadt is its own) or 12 digits; a Kreis or Land answers every member inside it', examples: ['055620014014'] })),
  ags: Type.Optional(Type.String({ pattern: AGS_PATTERN, description: 'Amtlicher Gemeindeschlüssel, 2, 3, 5 or 8 digits', examples: ['05562014'] })),
  postalCode: Type.Optional(Type.String({ pattern: '^[0-9]{5}$', examples: ['45964'] })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false, oneOf: [{ required: ['ars'] }, { required: ['ags'] }, { required: ['postalCode'] }] })

const Route = Type.Object({
  destinationName: Type.String(),
  address: Type.Optional(Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String() })),
  contact: Type.Optional(Type.Object({ phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()), url: Type.Optional(Type.String()) })),
  onlineService: Type.Optional(Type.Object({ name: Type.String(), url: Type.String(), provider: Type.String() })),
  destinationId: Type.Optional(Type.String({ description: 'FIT-Connect destination (UUID) of the responsible member for this service (offering, else its office); only when its manifest declares one' })),
  destinationSignature: Type.Optional(Type.String({ description: 'the JWS issued for that destination, passed on as declared' })),
  member: Type.String(),
  memberName: Type.String(),
  level: Type.String(),
  serviceId: Type.String(),
  origin: Type.Literal('dachportal'),
}, { $id: 'Route', description: 'one place to turn to (FIT-Connect-like; the compatible route is at /fit-connect/v1/routes)' })
const RoutingAnswer = Type.Object(
  { count: Type.Integer(), offset: Type.Integer(), totalCount: Type.Integer(), routes: Type.Array(Type.Ref('Route')) },
  { $id: 'RoutingAnswer', description: 'FIT-Connect-like routing answer (paged as the Routing API)' },
)
export const routingSchemas = [Route, RoutingAnswer]

function toRoute(o: Offering) {
  const destination = o.fitConnect ?? o.office?.fitConnect
  const contact = { ...(o.office?.phone ? { phone: o.office.phone } : {}), ...(o.office?.email ? { email: o.office.email } : {}), ...(o.office?.url ?? o.infoUrl ? { url: o.office?.url ?? o.infoUrl } : {}) }
  return {
    destinationName: o.office?.name ?? o.memberName,
    ...(o.office?.address ? { address: o.office.address } : {}),
    ...(Object.keys(contact).length > 0 ? { contact } : {}),
    ...(o.onlineService ? { onlineService: { name: o.onlineService.name, url: o.onlineService.url, provider: o.onlineService.provider } } : {}),
    ...(destination ?? {}),
    member: o.member,
    memberName: o.memberName,
    level: o.level,
    serviceId: o.serviceId,
    origin: 'dachportal' as const,
  }
}

async function routingRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/api/v1/routes', {
    schema: {
      tags: ['Navigation'],
      operationId: 'findRoutes',
      summary: 'Routing (FIT-Connect-ähnlich): wohin man sich für eine LeiKa-Leistung in einem Gebiet wendet',
      description: 'Give `leikaKey` and exactly one of `ars`, `ags` or `postalCode`. FIT-Connect-like: paged as the FIT-Connect Routing API (count, offset, totalCount, routes), with our own route (member, level, office, online service); the compatible surface is `/fit-connect/v1/routes`. Per member inside the area (a Kreis or Land: every member in it; 9-digit ARS: the Gemeindeverband) the most local responsible member offering the service (Stadt, Kreis, Land, Bund); an area outside the region answers no routes. `destinationId` and `destinationSignature` only when the responsible member declares a FIT-Connect destination for the offering or its office.',
      querystring: Query,
      response: { 200: Type.Ref('RoutingAnswer'), ...problemResponses },
    },
  }, async (request) => {
    const q = request.query
    // exactly one of ars, ags, postalCode: the schema's oneOf
    const area = q.ars !== undefined ? { ars: q.ars } : q.ags !== undefined ? { ags: q.ags } : { postalCode: q.postalCode ?? '' }
    const all = responsibleOfferings(app.live.current, q.leikaKey, area)
    const offset = q.offset ?? 0
    const page = all.slice(offset, offset + (q.limit ?? 100)).map(toRoute)
    return { count: page.length, offset, totalCount: all.length, routes: page }
  })
}

export default readsCatalog(routingRoutes, 'dachportal-routing-routes')

// FIT-Connect-compatible routing: for a LeiKa key and an area (ARS, AGS or
// postal code), the responsible place to turn to, in the answer shape of the
// FIT-Connect Routing API v2 ({count, offset, totalCount, routes}). Resolved
// with the region's Zuständigkeit (catalog/responsibility.ts): per candidate
// city the deepest member on Stadt -> Kreis -> Land -> Bund that offers it.
// destinationId is answered only when the provider's manifest declares it for
// the route's online service (OnlineService.destinationId); a route without one
// must not pretend to have one. destinationSignature is never answered.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { resolveResponsibility } from '../catalog/responsibility.js'
import type { Catalog, Offering } from '../catalog/types.js'
import { problemResponses } from './schemas.js'
import { errors } from '../http/problem.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

const Query = Type.Object({
  leikaKey: Type.String({ pattern: '^99[0-9]{12}$', description: 'LeiKa-Schlüssel (99 + 12 Ziffern)', examples: ['99102013104000'] }),
  ars: Type.Optional(Type.String({ pattern: '^(?:[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{9}|[0-9]{12})$', description: 'Amtlicher Regionalschlüssel, 2, 3, 5, 9 or 12 digits', examples: ['055620014014'] })),
  ags: Type.Optional(Type.String({ pattern: '^(?:[0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{8})$', description: 'Amtlicher Gemeindeschlüssel, 2, 3, 5 or 8 digits', examples: ['05562014'] })),
  postalCode: Type.Optional(Type.String({ pattern: '^[0-9]{5}$', examples: ['45964'] })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false, oneOf: [{ required: ['ars'] }, { required: ['ags'] }, { required: ['postalCode'] }] })

const Route = Type.Object({
  destinationName: Type.String(),
  address: Type.Optional(Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String() })),
  contact: Type.Optional(Type.Object({ phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()), url: Type.Optional(Type.String()) })),
  onlineService: Type.Optional(Type.Object({ name: Type.String(), url: Type.String(), provider: Type.String() })),
  destinationId: Type.Optional(Type.String({ description: 'FIT-Connect destination (UUID) of the online service; only when a manifest declares one' })),
  member: Type.String(),
  memberName: Type.String(),
  level: Type.String(),
  serviceId: Type.String(),
  origin: Type.Literal('dachportal'),
}, { $id: 'Route', description: 'one place to turn to (FIT-Connect Routing API shape)' })
const RoutingAnswer = Type.Object(
  { count: Type.Integer(), offset: Type.Integer(), totalCount: Type.Integer(), routes: Type.Array(Type.Ref('Route')) },
  { $id: 'RoutingAnswer', description: 'FIT-Connect-compatible routing answer' },
)
export const routingSchemas = [Route, RoutingAnswer]

/** ARS of 2–12 digits, or an AGS, to a 12-digit ARS; an 8-digit AGS of a member city maps to that city's ARS. */
function areaToArs(catalog: Catalog, area: { ars?: string; ags?: string }): string {
  if (area.ags !== undefined) {
    if (area.ags.length === 8) {
      const member = catalog.members.find((m) => m.ars.slice(0, 5) + m.ars.slice(9) === area.ags)
      if (member) return member.ars
      return `${area.ags.slice(0, 5)}0000${area.ags.slice(5)}`
    }
    return area.ags.padEnd(12, '0')
  }
  return (area.ars ?? '').padEnd(12, '0')
}

function routesFor(catalog: Catalog, leikaKey: string, area: { ars?: string; ags?: string; postalCode?: string }): Offering[] {
  // a catalog service, or member-local services of several members that carry the same key
  const offerings = catalog.services.filter((s) => s.leikaKey === leikaKey).flatMap((s) => s.offerings)
  if (offerings.length === 0) return []
  const r = area.postalCode !== undefined
    ? resolveResponsibility(catalog, { postalCode: area.postalCode })
    : resolveResponsibility(catalog, { ars: areaToArs(catalog, area) })
  const out: Offering[] = []
  for (const { chain } of r.candidates) {
    for (const m of chain) {
      const offering = offerings.find((o) => o.member === m.id)
      if (offering) { if (!out.includes(offering)) out.push(offering); break }
    }
  }
  return out
}

function toRoute(o: Offering) {
  const contact = { ...(o.office?.phone ? { phone: o.office.phone } : {}), ...(o.office?.email ? { email: o.office.email } : {}), ...(o.office?.url ?? o.infoUrl ? { url: o.office?.url ?? o.infoUrl } : {}) }
  return {
    destinationName: o.office?.name ?? o.memberName,
    ...(o.office?.address ? { address: o.office.address } : {}),
    ...(Object.keys(contact).length > 0 ? { contact } : {}),
    ...(o.onlineService ? { onlineService: { name: o.onlineService.name, url: o.onlineService.url, provider: o.onlineService.provider } } : {}),
    ...(o.onlineService?.destinationId !== undefined ? { destinationId: o.onlineService.destinationId } : {}),
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
      summary: 'FIT-Connect-kompatibles Routing: wohin man sich für eine LeiKa-Leistung in einem Gebiet wendet',
      description: 'Give `leikaKey` and exactly one of `ars`, `ags` or `postalCode`. Answers in the shape of the FIT-Connect Routing API (count, offset, totalCount, routes): per candidate city the most local responsible member offering the service (Stadt, Kreis, Land, Bund). `destinationId` is answered only when the provider manifest declares a FIT-Connect destination for the online service of the route.',
      querystring: Query,
      response: { 200: Type.Ref('RoutingAnswer'), ...problemResponses },
    },
  }, async (request) => {
    const q = request.query
    // exactly one of ars, ags, postalCode: the schema's oneOf
    const all = routesFor(app.live.current, q.leikaKey, q)
    const offset = q.offset ?? 0
    const page = all.slice(offset, offset + (q.limit ?? 100)).map(toRoute)
    return { count: page.length, offset, totalCount: all.length, routes: page }
  })
}

export default readsCatalog(routingRoutes, 'dachportal-routing-routes')

// Zuständigkeit and deep links (/go): which member serves a resident, and a
// redirect that only ever leads to a host the region config allows.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors } from '../http/problem.js'
import { resolveResponsibility } from '../catalog/responsibility.js'
import { serviceByIdOrLeikaKey } from '../catalog/routing.js'
import { isSafeRedirect } from '../manifest/url-safety.js'
import { Ars, PostalCode, problemResponses, ServiceId, Slug } from './schemas.js'
import { notModified } from '../http/cache.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

export const ResponsibilitySchema = Type.Object({
  postalCode: Type.Optional(Type.String({ examples: ['45964'] })),
  ars: Type.Optional(Type.String()),
  inRegion: Type.Boolean({ description: 'false when the postal code / ARS is outside the region (then only Land/Bund)' }),
  ambiguous: Type.Boolean({ description: 'true when the postal code is shared by several member cities' }),
  candidates: Type.Array(Type.Object({ chain: Type.Array(Type.Ref('Member'), { description: 'Stadt -> Kreis -> Land -> Bund' }) })),
  service: Type.Optional(Type.Object({
    id: Type.String(),
    name: Type.String(),
    forYou: Type.Optional(Type.Ref('Offering', { description: 'the offering to use: of the most local responsible member that offers the service (as forYou on every list); absent when none of them does' })),
    alternatives: Type.Array(Type.Ref('Offering'), {
      description: 'every other offering of the service: offered by other members elsewhere — not responsible for you (for information, not to use). A higher level of your own chain (Kreis, Land, Bund) that also offers it is listed here too.',
    }),
  }, { description: 'with `service`: the regional service with the resident\'s own offering' })),
}, { $id: 'Responsibility', description: 'Zuständigkeit: the responsible members per candidate city and, with `service`, the offering to use' })

async function responsibilityRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/api/v1/responsibility', {
    schema: {
      tags: ['Navigation'],
      operationId: 'getResponsibility',
      summary: 'Wer ist für mich zuständig? (nach Postleitzahl oder ARS)',
      description: 'Give exactly one of `postalCode` or `ars`. With `service`, also the offering to use (the most local responsible member offering it) and the alternatives.',
      // exactly one of postalCode or ars, as a schema rule (OpenAPI parameters cannot say it: the description does)
      querystring: Type.Object({
        postalCode: Type.Optional(PostalCode),
        ars: Type.Optional(Ars),
        service: Type.Optional({ ...ServiceId, description: 'service key, member:serviceId, or a LeiKa key (14 digits) that one service carries', examples: ['hund-anmelden', '99102013104000'] }),
      }, { additionalProperties: false, oneOf: [{ required: ['postalCode'] }, { required: ['ars'] }] }),
      response: { 200: Type.Ref('Responsibility'), ...problemResponses },
    },
  }, async (request, reply) => {
    const q = request.query
    const c = app.live.current
    // a LeiKa key stands for the one service that carries it (PVOG looks services up so)
    const service = q.service === undefined ? undefined : serviceByIdOrLeikaKey(c, q.service)?.id
    if (q.service !== undefined && service === undefined) throw new errors.SERVICE_NOT_FOUND(q.service)
    if (notModified(request, reply, c.version)) return reply
    const { service: _asked, ...area } = q
    return resolveResponsibility(c, { ...area, ...(service === undefined ? {} : { service }) })
  })

  app.get('/go/:member/:service', {
    schema: {
      tags: ['Navigation'],
      operationId: 'goToOnlineService',
      summary: 'Deep Link: 302 zum Online-Dienst des Mitglieds',
      description: 'Redirects to the member’s own start link, or else to the online service the offering uses (a shared one lives on its provider’s hosts); only to a host the region config allows for that member (or that provider); 404 otherwise.',
      params: Type.Object({ member: Slug, service: Slug }),
      response: { 302: Type.Null({ description: 'Location: the online service' }), ...problemResponses },
    },
  }, async (request, reply) => {
    const { member, service } = request.params
    const offering = app.live.current.offeringByMemberService.get(`${member}/${service}`)
    // The member's own start link first; else its (possibly shared) online
    // service, which lives on the provider's hosts. The region config, not the
    // manifest, decides where we may send residents.
    const own = offering?.onlineUrl
    const url = own ?? offering?.onlineService?.url
    const config = app.live.members.get(own !== undefined ? member : offering?.onlineService?.provider ?? member)
    if (!config || url === undefined || !isSafeRedirect(url, config.allowedHosts)) {
      throw new errors.GO_TARGET_NOT_FOUND(`${member}/${service}`)
    }
    // the parsed form: what was checked is exactly what is sent
    return reply.header('cache-control', 'public, max-age=300').redirect(new URL(url).href, 302)
  })
}

export default readsCatalog(responsibilityRoutes, 'dachportal-responsibility-routes')

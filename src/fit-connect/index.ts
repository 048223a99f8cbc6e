// FIT-Connect compatibility surface: /fit-connect/v1/routes, /areas and
// /info answer as FITKO's Routing API 2.0.0 does, so a FIT-Connect sender
// works against the region by changing only its base URL. Routes come from
// the members' manifests (catalog/routing.ts picks the responsible offerings,
// route.ts maps them); errors are the spec's `error` with an absolute
// `instance`; rate-limit headers carry the IETF names (ops/limits.ts).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AGS_PATTERN, ARS_PATTERN, type AreaKey } from '../catalog/responsibility.js'
import { responsibleOfferings } from '../catalog/routing.js'
import type { Catalog } from '../catalog/types.js'
import { problemFor, sendProblem, type Issue, type ProblemDocument } from '../http/problem.js'
import { problemForError } from '../http/framework-errors.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'
import { regionAreas, searchAreas } from './areas.js'
import { toFitConnectRoute, type LegalUrls } from './route.js'

export { fitConnectSchemas } from './schemas.js'

export const FIT_CONNECT_PREFIX = '/fit-connect/v1'
/** the Routing API version this surface implements (routing-api.yaml) */
export const ROUTING_API_VERSION = { major: 2, minor: 0, patch: 0 } as const
const PATHS = new Set(['/routes', '/areas', '/info'].map((p) => FIT_CONNECT_PREFIX + p))

export interface FitConnectOptions {
  production: boolean
  /** PUBLIC_ORIGIN: the origin of `instance` and, when https, of the legal pages' URLs */
  publicOrigin?: string
  /** the region config has an operator block: the portal's Impressum, Datenschutz and Barrierefreiheit pages are real */
  operator: boolean
}

const paging = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, default: 0, description: 'Startposition (Standard 0)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Anzahl (Standard 100, höchstens 500)' })),
}
const RoutesQuery = Type.Object({
  leikaKey: Type.String({ pattern: '^99[0-9]{12}$', description: 'Leistungsschlüssel (LeiKa)', examples: ['99102013104000'] }),
  ars: Type.Optional(Type.String({ pattern: ARS_PATTERN, description: 'Amtlicher Regionalschlüssel: 2, 3, 5, 9 oder 12 Ziffern', examples: ['055620014014'] })),
  ags: Type.Optional(Type.String({ pattern: AGS_PATTERN, description: 'Amtlicher Gemeindeschlüssel: 2, 3, 5 oder 8 Ziffern', examples: ['05562014'] })),
  areaId: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$', description: 'id eines Gebiets aus /fit-connect/v1/areas', examples: ['05562'] })),
  ...paging,
}, { oneOf: [{ required: ['ars'] }, { required: ['ags'] }, { required: ['areaId'] }] })
const AreasQuery = Type.Object({
  areaSearchexpression: Type.Array(Type.String({ pattern: '^(\\*?([^\\*]{2,})\\*?)*$', maxLength: 100 }), {
    minItems: 1, maxItems: 10,
    description: 'Name oder Postleitzahl, "*" als Platzhalter am Anfang oder Ende (z. B. Gladbeck, 4596*); mehrfach: alle müssen passen',
    examples: [['Gladbeck']],
  }),
  ...paging,
})
const errorResponses = { 400: Type.Ref('Problem'), 404: Type.Ref('Problem'), 429: Type.Ref('Problem') }

function legalUrls(options: FitConnectOptions): LegalUrls {
  if (!options.operator || options.publicOrigin === undefined || !options.publicOrigin.startsWith('https://')) return {}
  const at = (path: string) => new URL(path, options.publicOrigin).href
  return { privacyPolicyUrl: at('/datenschutz'), imprintUrl: at('/impressum'), accessibilityUrl: at('/barrierefreiheit') }
}

/** The spec's `instance` is a URI: the request path on PUBLIC_ORIGIN, else on the origin the request was addressed to. */
function absoluteInstance(request: FastifyRequest, problem: ProblemDocument, publicOrigin: string | undefined): ProblemDocument {
  try {
    return { ...problem, instance: new URL(problem.instance, publicOrigin ?? `${request.protocol}://${request.host}`).href }
  } catch {
    // no usable Host (the app answers that 400 itself): name the request instead
    return { ...problem, instance: `urn:dachportal:request:${encodeURIComponent(request.id)}` }
  }
}

function areaOf(catalog: Catalog, q: { ars?: string; ags?: string; areaId?: string }): AreaKey | undefined {
  if (q.ars !== undefined) return { ars: q.ars }
  if (q.ags !== undefined) return { ags: q.ags }
  // an areaId is an id /areas hands out; any other answers no routes
  const area = regionAreas(catalog).find((a) => a.id === q.areaId)
  return area === undefined ? undefined : { ars: area.id }
}

const page = <T>(all: T[], q: { offset?: number; limit?: number }) => {
  const offset = q.offset ?? 0
  const items = all.slice(offset, offset + (q.limit ?? 100))
  return { count: items.length, offset, totalCount: all.length, items }
}

async function fitConnectRoutes(fastify: FastifyInstance, options: FitConnectOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const legal = legalUrls(options)
  const send = (request: FastifyRequest, reply: FastifyReply, problem: ProblemDocument) => {
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', request.id)
    return sendProblem(reply, absoluteInstance(request, problem, options.publicOrigin))
  }

  app.setErrorHandler((error: FastifyError & { errors?: Issue[]; headers?: Record<string, string> }, request, reply) => {
    const problem = problemForError(request, error, options.production)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    if (error.headers) reply.headers(error.headers)
    return send(request, reply, problem)
  })
  // below the prefix: the spec's error too (a wrong method on a known path: 405 with Allow)
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? ''
    if (PATHS.has(path)) {
      reply.header('allow', 'GET, HEAD')
      return send(request, reply, problemFor(request, 'DP_ERR_METHOD_NOT_ALLOWED', `Die Methode ${request.method.slice(0, 16)} ist für ${path} nicht erlaubt; erlaubt: GET, HEAD.`))
    }
    return send(request, reply, problemFor(request, 'DP_ERR_NOT_FOUND', `Die Adresse ${request.method.slice(0, 16)} ${path.slice(0, 200)} gibt es nicht.`))
  })

  app.get('/routes', {
    schema: {
      tags: ['FIT-Connect'],
      operationId: 'fitConnectRoutes',
      summary: 'FIT-Connect Routing API 2.0.0: Zustellpunkte für eine Leistung in einem Gebiet',
      description: 'Compatible with FITKO\'s Routing API 2.0.0 (`route`): give `leikaKey` and exactly one of `ars`, `ags` or `areaId`. A route exists only where the responsible member declares a FIT-Connect destination (`destinationId` and the `destinationSignature` FIT-Connect issued) on the offering or its office. A Kreis or Land answers every member inside it; an area outside the region answers no routes.',
      querystring: RoutesQuery,
      response: { 200: Type.Ref('FitConnectRouteResult'), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query
    const catalog = app.live.current
    const area = areaOf(catalog, q)
    const routes = area === undefined ? [] : responsibleOfferings(catalog, q.leikaKey, area).flatMap((o) => toFitConnectRoute(o, legal) ?? [])
    const { items, ...counts } = page(routes, q)
    return { ...counts, routes: items }
  })

  app.get('/areas', {
    schema: {
      tags: ['FIT-Connect'],
      operationId: 'fitConnectAreas',
      summary: 'FIT-Connect Routing API 2.0.0: Gebiete der Region nach Name oder Postleitzahl',
      description: 'Compatible with FITKO\'s Routing API 2.0.0 (`area`): the region\'s Städte, Kreise and Land whose name or postal code matches every `areaSearchexpression` (repeatable; `*` at either end is a wildcard). The `id` is the area\'s ARS and goes into `/fit-connect/v1/routes?areaId=`.',
      querystring: AreasQuery,
      response: { 200: Type.Ref('FitConnectAreaResult'), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query
    const found = searchAreas(regionAreas(app.live.current), q.areaSearchexpression).map(({ id, name, type }) => ({ id, name, type }))
    const { items, ...counts } = page(found, q)
    return { ...counts, areas: items }
  })

  app.get('/info', {
    schema: {
      tags: ['FIT-Connect'],
      operationId: 'fitConnectInfo',
      summary: 'FIT-Connect Routing API 2.0.0: Version der bereitgestellten Routing API',
      response: { 200: Type.Ref('FitConnectInfo') },
    },
  }, async () => ({ version: ROUTING_API_VERSION }))
}

export default readsCatalog(fitConnectRoutes, 'dachportal-fit-connect')

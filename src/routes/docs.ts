// The OpenAPI document (/docs/json): @fastify/swagger collects routes as
// they are added, so register it before the routes it should document.
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import { finishOpenApi } from './openapi.js'

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'dachportal API – Serviceportal Emscher-Lippe',
        version: '1.0.0',
        description: 'Regional catalog, search and navigation over the service portals of the Emscher-Lippe member cities, Kreis Recklinghausen, Land NRW and Bund. Errors are application/problem+json (RFC 9457).',
      },
      tags: [
        { name: 'Region', description: 'Region and Verbundmitglieder' },
        { name: 'Navigation', description: 'Lebenslagen, Leistungen, Zuständigkeit, Deep Links' },
        { name: 'Search', description: 'Suche und Vorschläge' },
        { name: 'Member cities', description: 'Manifest registration for member city IT teams' },
        { name: 'Proxy', description: 'Each member\'s upstream is proxied on its own origin <member>.<PROXY_BASE_DOMAIN>; ALL /cities/{member}/* on the portal\'s origin only for members marked sameOriginTrusted (others: 307 to their origin). Members without an upstream answer 404. Cookies are scoped per member, Location headers rewritten, failures answer 502/504 problem+json with the member\'s contact data, an open circuit breaker 503 with Retry-After.' },
        { name: 'Operations', description: 'Health, readiness, metrics' },
      ],
      components: { securitySchemes: { memberToken: { type: 'http', scheme: 'bearer', description: 'registration token of one member' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (documentObject) => finishOpenApi(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, unknown>),
  })
}

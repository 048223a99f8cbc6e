// The OpenAPI document (/docs/json): @fastify/swagger collects routes as
// they are added, so register it before the routes it should document.
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import type { Settings } from '../config/env.js'
import type { RegionData } from '../config/load.js'
import { finishOpenApi } from './openapi.js'

export async function registerDocs(app: FastifyInstance, settings: Settings, data: RegionData): Promise<void> {
  const ids = { members: data.region.members.map((m) => m.id), lifeSituations: data.lifeSituations.map((l) => l.id) }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'dachportal API – Serviceportal Emscher-Lippe',
        version: '1.0.0',
        description: 'Regional catalog, search and navigation over the service portals of the Emscher-Lippe member cities, Kreis Recklinghausen, Land NRW and Bund. Errors are application/problem+json (RFC 9457). '
          + 'Summaries are German, descriptions English. Every operation has a stable operationId; API routes (/api/v1/*) answer 400 to query parameters they do not declare. '
          + 'This document is self-contained (the manifest schema is components.schemas.Manifest): save it and generate a client offline.',
        // the repository grants no licence (package.json: UNLICENSED); say so instead of inventing one
        license: { name: 'Proprietary, all rights reserved (no licence granted)', identifier: 'LicenseRef-Proprietary' },
      },
      // relative unless PUBLIC_ORIGIN names the portal's origin
      servers: [{ url: settings.proxy.publicOrigin ?? '/', description: 'this gateway' }],
      tags: [
        { name: 'Region', description: 'Region and Verbundmitglieder' },
        { name: 'Navigation', description: 'Lebenslagen, Leistungen, Zuständigkeit, Deep Links' },
        { name: 'Search', description: 'Suche und Vorschläge' },
        { name: 'Member cities', description: 'Manifest registration for member city IT teams' },
        { name: 'Proxy', description: 'Each member\'s upstream is proxied on its own origin <member>.<PROXY_BASE_DOMAIN>; ALL /cities/{member}/* on the portal\'s origin only for members marked sameOriginTrusted (others: 307 to their origin). Members without an upstream answer 404. Cookies are scoped per member, Location headers rewritten, failures answer 502/504 problem+json with the member\'s contact data, an open circuit breaker 503 with Retry-After.' },
        { name: 'Operations', description: 'Health, readiness, metrics' },
      ],
      components: {
        securitySchemes: {
          memberToken: { type: 'http', scheme: 'bearer', description: 'registration token of one member' },
          regionAdminToken: { type: 'http', scheme: 'bearer', description: 'region admin token (its SHA-256 is REGION_ADMIN_TOKEN_SHA256)' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, only when set' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (documentObject) => finishOpenApi(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Record<string, unknown>, ids),
  })
}

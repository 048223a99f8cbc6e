// Liveness, readiness and the published manifest schema.
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Manifest, ManifestV1 } from '../manifest/schema.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

export interface Readiness {
  /** set on SIGTERM so a load balancer drains this instance first */
  draining: boolean
}

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { $id: 'Health', description: 'the process is alive' })
export const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('unready')]),
  version: Type.Integer(),
  reasons: Type.Array(Type.String()),
}, { $id: 'Readiness', description: 'whether this instance should get traffic' })

async function opsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', {
    schema: { tags: ['Operations'], operationId: 'getHealth', summary: 'Lebendigkeit (liveness)', response: { 200: Type.Ref('Health') } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' as const }
  })

  app.get('/ready', {
    schema: {
      tags: ['Operations'],
      operationId: 'getReadiness',
      summary: 'Bereitschaft (readiness): Katalog geladen, Speicher erreichbar',
      description: 'Degraded (still serving) when the store is unreachable or was reset and is not recovered yet. Answers only once the catalog is loaded (before that the port is closed). 503 with status "unready" while the instance drains for shutdown: take it out of the load balancer.',
      response: { 200: Type.Ref('Readiness'), 503: Type.Ref('Readiness', { description: 'draining for shutdown: {"status":"unready"} (application/json)' }) },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    const version = app.live.current.version
    if (app.readiness.draining) return reply.code(503).send({ status: 'unready', version, reasons: ['shutting down'] })
    const health = app.store.health()
    if (!health.ok) return { status: 'degraded' as const, version, reasons: [health.reason ?? 'store unavailable'] }
    // the store lost its data and this instance has not put back what it lacks yet
    const inconsistency = app.live.inconsistency
    if (inconsistency !== undefined) return { status: 'degraded' as const, version, reasons: [inconsistency] }
    return { status: 'ready' as const, version, reasons: [] }
  })

  // v2 is the current schema; v1 stays published while v1 manifests are accepted (converted on load).
  for (const [path, schema, operationId, summary, description] of [
    ['/schemas/manifest.json', Manifest, 'getManifestSchema', 'JSON Schema des Manifests, Version 2', 'For member city IT teams; the same schema is in this document as components.schemas.Manifest.'],
    ['/schemas/manifest-v1.json', ManifestV1, 'getManifestSchemaV1', 'JSON Schema des Manifests, Version 1', 'Still accepted, converted to version 2 on load.'],
  ] as const) {
    const published = JSON.stringify(schema)
    app.get(path, { schema: { tags: ['Member cities'], operationId, summary, description } }, async (_request, reply) => {
      reply.type('application/schema+json; charset=utf-8').header('cache-control', 'public, max-age=3600')
      return published
    })
  }
}

export default readsCatalog(opsRoutes, 'dachportal-ops-routes', ['live', 'store', 'readiness'])

declare module 'fastify' {
  interface FastifyInstance {
    /** draining on SIGTERM (main.ts); /ready answers 503 then */
    readiness: Readiness
  }
}

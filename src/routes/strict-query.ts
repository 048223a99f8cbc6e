// API routes (/api/v1/*) answer 400 to a query parameter they do not
// declare: a misspelt filter (?postalcode=45711) must not quietly give the
// unpersonalised answer. Portal pages and /go deep links keep ignoring unknown
// parameters: residents follow links with tracking parameters. Needs Ajv's removeAdditional
// off (app.ts), or Fastify would strip the extras silently instead.
import type { FastifyInstance, RouteOptions } from 'fastify'

function isApiRoute(url: string): boolean {
  return url.startsWith('/api/v1/')
}

type QuerySchema = { type?: unknown; additionalProperties?: unknown; [key: string]: unknown }

/** the route's querystring schema, closed (a copy: schemas may be shared between routes) */
function closedQuery(querystring: unknown): QuerySchema | unknown {
  if (querystring === undefined) return { type: 'object', properties: {}, additionalProperties: false }
  const schema = querystring as QuerySchema
  if (schema.type !== 'object' || schema.additionalProperties !== undefined) return querystring
  return { ...schema, additionalProperties: false }
}

/** an onRoute hook: add before the API routes are registered */
export function strictApiQueries(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiRoute(route.url)) return
    const schema = (route.schema ??= {}) as { querystring?: unknown }
    schema.querystring = closedQuery(schema.querystring)
  })
}

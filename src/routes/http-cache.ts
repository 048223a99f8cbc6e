// Conditional GET for catalog routes: the ETag is derived from the catalog
// version (plus anything else the body depends on), If-None-Match -> 304.
import type { FastifyReply, FastifyRequest } from 'fastify'

export const CATALOG_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=600'

/** Sets ETag and Cache-Control; true when the client's copy is current (304 sent). */
export function notModified(request: FastifyRequest, reply: FastifyReply, version: number, extra = '', cacheControl = CATALOG_CACHE_CONTROL): boolean {
  const etag = `"v${version}${extra ? `-${extra}` : ''}"`
  reply.header('etag', etag).header('cache-control', cacheControl)
  const match = request.headers['if-none-match']
  if (match !== undefined && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
    reply.code(304).send()
    return true
  }
  return false
}

export function paginate<T>(items: readonly T[], page: number, pageSize: number) {
  const start = (page - 1) * pageSize
  return { items: items.slice(start, start + pageSize), total: items.length, page, pageSize }
}

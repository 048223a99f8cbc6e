// Conditional GET for catalog routes: the ETag is derived from the catalog
// version (plus anything else the body depends on), If-None-Match -> 304.
// The ETag is weak: the same version is sent as identity, br or gzip bytes
// (src/http/compression.ts), equivalent but not byte-identical, and a strong
// ETag promises identical bytes.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { addVary } from './compression.js'

const CATALOG_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=600'

/** Sets ETag and Cache-Control; true when the client's copy is current (304 sent). */
export function notModified(request: FastifyRequest, reply: FastifyReply, version: number, extra = '', cacheControl = CATALOG_CACHE_CONTROL): boolean {
  const etag = `W/"v${version}${extra ? `-${extra}` : ''}"`
  reply.header('etag', etag).header('cache-control', cacheControl)
  // a 304 carries the Vary its 200 would (RFC 9110 15.4.5)
  addVary(reply, 'accept-encoding')
  if (etagMatches(request.headers['if-none-match'], etag)) {
    reply.code(304).send()
    return true
  }
  return false
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ is ignored on both sides. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  const opaque = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === opaque)
}

export function paginate<T>(items: readonly T[], page: number, pageSize: number) {
  const start = (page - 1) * pageSize
  return { items: items.slice(start, start + pageSize), total: items.length, page, pageSize }
}

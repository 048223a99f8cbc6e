// Response compression (br, gzip) negotiated on Accept-Encoding, for answers
// of at least COMPRESSION_THRESHOLD bytes. Phones on mobile networks get the
// catalog at a tenth of its size. Proxied member traffic (`/cities/*`, and
// member origins, which are routed there) passes through exactly as the
// upstream sent it. HEAD answers are never compressed (Fastify's HEAD handler
// drops the body before the compress hook sees it). /metrics is compressed
// like any route: Prometheus asks for gzip and decodes it; a scraper that
// asks for nothing gets identity.
//
// One rule set for @fastify/compress and for the search answers that are
// compressed once and cached (src/http/encoded-body.ts).
import zlib from 'node:zlib'
import { negotiate } from '@fastify/accept-negotiator'
import compress from '@fastify/compress'
import type { FastifyInstance, FastifyReply } from 'fastify'

export type ContentEncoding = 'br' | 'gzip'

/** Below this the header overhead and CPU outweigh the bytes saved. */
export const COMPRESSION_THRESHOLD = 1024

// Server preference on equal q-values; identity listed so `identity;q=1, gzip;q=0.5` stays uncompressed.
const NEGOTIATED = ['br', 'gzip', 'identity'] as const

/** Per-request compression is on the hot path: brotli 4 and gzip 5 trade a few % of size for speed. */
const DYNAMIC_BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } }
const DYNAMIC_GZIP = { level: 5 }
/** A cached answer is compressed once and sent many times: one level more (≈7 % smaller, ~2 ms for 30 KB). */
const CACHED_BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } }
const CACHED_GZIP = { level: 6 }

/**
 * The encoding to answer with for this Accept-Encoding, as @fastify/compress
 * decides it (it reads `*` and `x-gzip` as gzip); undefined = identity.
 */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): ContentEncoding | undefined {
  if (typeof acceptEncoding !== 'string') return undefined
  const chosen = negotiate(acceptEncoding.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), [...NEGOTIATED])
  return chosen === 'br' || chosen === 'gzip' ? chosen : undefined
}

/** Compresses a cached answer once (synchronously: bodies are small, and it happens once per entry). */
export function compressCached(body: Buffer, encoding: ContentEncoding): Buffer {
  return encoding === 'br'
    ? zlib.brotliCompressSync(body, { params: { ...CACHED_BROTLI.params, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : zlib.gzipSync(body, CACHED_GZIP)
}

/** Adds a field to Vary without dropping what CORS or others put there. */
export function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary')
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((f) => f.trim()).filter(Boolean)
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === field)) return
  reply.header('vary', [...fields, field].join(', '))
}

/** True for routes whose bodies must pass through untouched (the member proxy). */
function passesThrough(url: string): boolean {
  return url === '/cities' || url.startsWith('/cities/')
}

/**
 * Registers @fastify/compress for every route added afterwards, except the
 * proxy. Request bodies are never decompressed: the proxy streams them to
 * the member as sent, and no other route takes compressed uploads.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  // before the plugin's own onRoute hook, which reads `compress`
  app.addHook('onRoute', (route) => {
    if (passesThrough(route.url)) route.compress = false
  })
  await app.register(compress, {
    globalCompression: true,
    globalDecompression: false,
    threshold: COMPRESSION_THRESHOLD,
    encodings: [...NEGOTIATED],
    brotliOptions: DYNAMIC_BROTLI,
    zlibOptions: DYNAMIC_GZIP,
  })
}

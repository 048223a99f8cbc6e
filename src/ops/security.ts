// Response hardening: helmet with a strict CSP (the portal page needs nothing
// inline), a relaxed one for the Swagger UI under /docs, CORS for configured
// portal frontends only, and no x-powered-by.
//
// helmet's headers depend only on its options, so they are computed once at
// start and set with one call per request. (@fastify/helmet rebuilds the
// helmet middleware on every request: about 7 % of the CPU of a small route.)
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'

interface SecurityOptions {
  /** exact origins allowed to read the API cross-origin; none by default */
  corsOrigins?: readonly string[]
  /** URL prefix of the Swagger UI, default /docs */
  docsPrefix?: string
}

const PORTAL_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
}

// Swagger UI renders some styles inline and loads fonts as data: URLs.
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { useDefaults: false, directives: PORTAL_CSP },
  // a public portal: other sites may link here, but nothing of ours is embeddable
  crossOriginResourcePolicy: { policy: 'same-site' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  frameguard: { action: 'deny' },
}

/** The headers helmet sets for these options (helmet only sets and removes headers). */
function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let failed: unknown
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    failed = err
  })
  if (failed) throw failed
  return headers
}

let portal: Readonly<Record<string, string>> | undefined

/** The headers every answer outside /docs carries (also set on errors raised before any hook ran). */
export function portalSecurityHeaders(): Readonly<Record<string, string>> {
  portal ??= Object.freeze(helmetHeaders(HELMET_OPTIONS))
  return portal
}

async function security(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const docs = (options.docsPrefix ?? '/docs').replace(/\/$/, '')
  const origins = [...(options.corsOrigins ?? [])]
  const portalHeaders = portalSecurityHeaders()
  const docsHeaders = { ...portalHeaders, 'content-security-policy': DOCS_CSP }
  // one hook for every response header the gateway always sets (Fastify itself never sends x-powered-by)
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url
    const isDocs = url.startsWith(docs) && (url.length === docs.length || url[docs.length] === '/' || url[docs.length] === '?')
    reply.headers(isDocs ? docsHeaders : portalHeaders)
    reply.header('x-request-id', request.id)
    done()
  })
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'HEAD'],
      credentials: false,
      exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    })
  }
}

export default fp(security, { name: 'dachportal-security', fastify: '5.x' })

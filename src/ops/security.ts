// Response hardening: helmet with a strict CSP (the portal page needs nothing
// inline), a relaxed one for the Swagger UI under /docs, CORS for configured
// portal frontends only, and no x-powered-by.
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

export interface SecurityOptions {
  /** exact origins allowed to read the API cross-origin; none by default */
  corsOrigins?: readonly string[]
  /** URL prefix of the Swagger UI, default /docs */
  docsPrefix?: string
}

export const PORTAL_CSP = {
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
export const DOCS_CSP = [
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

async function security(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const docs = (options.docsPrefix ?? '/docs').replace(/\/$/, '')
  const origins = [...(options.corsOrigins ?? [])]
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: PORTAL_CSP },
    // a public portal: other sites may link here, but nothing of ours is embeddable
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    frameguard: { action: 'deny' },
  })
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? ''
    if (path === docs || path.startsWith(`${docs}/`)) reply.header('content-security-policy', DOCS_CSP)
  })
  app.addHook('onSend', async (_request, reply) => {
    reply.removeHeader('x-powered-by')
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

// HTML 404 for people, problem+json for programs. The portal sends it for its
// own unknown ids; the app's not-found handler can send it for any unknown
// page path a browser asks for (prefersHtml), keeping API paths on
// problem+json.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { renderPage, type Layout } from './render.js'

/** Paths that always answer problem+json, even to a browser. */
const API_PREFIXES = ['/api/', '/go/', '/cities/', '/schemas/', '/docs', '/health', '/ready', '/metrics', '/assets/']

const DEFAULT_NAME = 'Serviceportal'

export interface AssetLinks {
  css: string
  js: string
  icon: string
}

/** True for a browser navigation (GET/HEAD, accepts text/html) to a non-API path. */
export function prefersHtml(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0] ?? ''
  if (API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return false
  return isNavigation(request)
}

/** A browser navigation (GET/HEAD that accepts text/html), whatever the path. */
function isNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  return (request.headers.accept ?? '').includes('text/html')
}

/**
 * A /go link that leads nowhere (the service was withdrawn, its link failed
 * the host check): a resident who followed it gets a page, a program the problem.
 */
export function deadLinkPage(request: FastifyRequest, reply: FastifyReply, code: string): FastifyReply | undefined {
  if (code !== 'DP_ERR_GO_TARGET_NOT_FOUND' || !isNavigation(request)) return undefined
  return sendNotFoundPage(request, reply, undefined, 'Dieser Online-Dienst ist über das Serviceportal nicht (mehr) erreichbar. Über die Suche finden Sie die Leistung und wer sie anbietet.')
}

function layoutFor(request: FastifyRequest, assets: AssetLinks | undefined, title: string): Layout {
  const regionName = request.server.live?.current.region.name ?? DEFAULT_NAME
  return {
    title: `${title} – ${regionName}`,
    description: title,
    regionName,
    // Unversioned links still revalidate by ETag (see assets.ts).
    css: assets?.css ?? '/assets/portal.css',
    js: assets?.js ?? '/assets/portal.js',
    icon: assets?.icon ?? '/assets/icon.svg',
  }
}

export function sendNotFoundPage(request: FastifyRequest, reply: FastifyReply, assets?: AssetLinks, message?: string): FastifyReply {
  const html = renderPage('not-found', {
    ...layoutFor(request, assets, 'Seite nicht gefunden'),
    message: message ?? 'Die aufgerufene Seite gibt es nicht. Vielleicht hat sich die Adresse geändert.',
  })
  return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
}

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, assets?: AssetLinks): FastifyReply {
  const html = renderPage('error', layoutFor(request, assets, 'Fehler'))
  return reply.code(500).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
}

/** 429 for a person whose request budget is spent; the Retry-After header is the rate limiter's. */
export function sendRateLimitedPage(request: FastifyRequest, reply: FastifyReply, seconds: number, assets?: AssetLinks): FastifyReply {
  const html = renderPage('rate-limited', { ...layoutFor(request, assets, 'Zu viele Anfragen'), seconds })
  return reply.code(429).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html)
}

// Pages are rendered by Eta with automatic escaping: `<%= %>` escapes
// everything (manifest text is untrusted); raw `<%~ %>` is used only for the
// layout body, includes and pre-escaped JSON-LD (json-ld.ts).
import { Eta } from 'eta'
import type { FastifyReply } from 'fastify'
import { TEMPLATES_DIR } from './paths.js'

export interface Layout {
  title: string
  description: string
  regionName: string
  css: string
  js: string
  icon: string
  /** which navigation entry is the current page */
  nav?: 'start' | 'suche' | 'mitglieder' | 'impressum' | 'datenschutz' | 'barrierefreiheit' | 'leichte-sprache' | 'gebaerdensprache'
  /** pre-escaped JSON-LD (safeJson) */
  jsonLd?: string
  /** the search box's value and the postal code links carry */
  q?: string
  plz?: string
}

const eta = new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true, autoTrim: [false, 'nl'] })

export function renderPage<T extends Layout>(template: string, data: T): string {
  return eta.render(`./${template}`, data)
}

export function sendPage<T extends Layout>(reply: FastifyReply, template: string, data: T, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    // Personalised by postal code (URL or cookie): never cache in shared caches.
    .header('cache-control', 'private, no-cache')
    .header('vary', 'cookie')
    .send(renderPage(template, data))
}
